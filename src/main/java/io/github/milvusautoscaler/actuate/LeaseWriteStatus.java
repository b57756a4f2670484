package io.github.milvusautoscaler.actuate;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The HTTP status of the last Lease create or update this thread sent: client-java's {@code LeaseLock} answers a
 * refused write with {@code false} alone, so without this a 403 (a Role without update or create on the Lease) could
 * not be told from a lost race (409). Its calls run on the calling thread (the synchronous client API), so a
 * thread-local read right after the write is that write's answer.
 */
final class LeaseWriteStatus implements Interceptor {

    private static final ThreadLocal<Integer> LAST = ThreadLocal.withInitial(() -> 0);

    private LeaseWriteStatus() {
    }

    /** {@code client}, watched from now on: every later call of it goes through this interceptor. */
    static ApiClient watch(ApiClient client) {
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(new LeaseWriteStatus()).build());
        return client;
    }

    /** Forgets this thread's last status, before a write. */
    static void clear() {
        LAST.set(0);
    }

    /** This thread's last Lease write status since {@link #clear()}; 0 when none was answered. */
    static int last() {
        return LAST.get();
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        Response response = chain.proceed(request);
        String method = request.method();
        if (("PUT".equals(method) || "POST".equals(method))
                && request.url().encodedPath().startsWith("/apis/coordination.k8s.io/")) {
            LAST.set(response.code());
        }
        return response;
    }
}
