package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.SecretForms;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The credentials this process sends the API server, remembered as they leave so that text coming back from it can be
 * masked: an auth proxy or gateway in front of the API server may echo the request's {@code Authorization} header in a
 * 401 or 403 body, and that body went into errors, the status and the logs with the token in it (secrets recheck 28,
 * F1). A network interceptor sees the header whichever authenticator set it (a kubeconfig token, the refreshed
 * service-account token, an exec plugin), so the value masked is the one sent, also after a rotation. On top of the
 * values seen, anything shaped like a credential is masked: {@code Bearer x}/{@code Basic x}, a JWT (service-account
 * tokens are), an EKS {@code k8s-aws-v1.} token.
 */
final class SentCredentials implements Interceptor {

    /** Masks only by shape: for a client built without this interceptor. */
    static final SentCredentials SHAPES_ONLY = new SentCredentials();

    /** Values kept: a rotation or two, never a growing list. */
    private static final int KEPT = 4;
    /** Shorter values are not masked as text: "abc" would mask every word containing it. */
    private static final int SHORTEST = 4;
    private static final Pattern SCHEME = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=:-]+");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
    private static final Pattern EKS = Pattern.compile("k8s-aws-v1\\.[A-Za-z0-9_-]+");
    private static final String MASK = "***";

    private final List<String> seen = new ArrayList<>();

    /** The interceptor {@code client} sends through, or {@link #SHAPES_ONLY} when it has none. */
    static SentCredentials of(ApiClient client) {
        requireNonNull(client, "client");
        for (Interceptor i : client.getHttpClient().networkInterceptors()) {
            if (i instanceof SentCredentials sent) {
                return sent;
            }
        }
        return SHAPES_ONLY;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        String authorization = chain.request().header("Authorization");
        if (authorization != null) {
            remember(authorization);
        }
        return chain.proceed(chain.request());
    }

    /** Keeps the credential of an {@code Authorization} value ({@code Bearer abc} keeps {@code abc}). */
    synchronized void remember(String authorization) {
        String value = authorization.strip();
        int space = value.indexOf(' ');
        String credential = space < 0 ? value : value.substring(space + 1).strip();
        if (credential.length() < SHORTEST || seen.contains(credential)) {
            return;
        }
        if (seen.size() == KEPT) {
            seen.remove(0);
        }
        seen.add(credential);
    }

    /**
     * {@code text} with every credential sent, in each encoded form ({@link SecretForms}), and anything shaped like one
     * replaced by {@code ***}.
     */
    String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        List<String> values;
        synchronized (this) {
            values = List.copyOf(seen);
        }
        String out = SecretForms.mask(text, values, MASK);
        out = SCHEME.matcher(out).replaceAll("$1 " + MASK);
        out = JWT.matcher(out).replaceAll(MASK);
        return EKS.matcher(out).replaceAll(MASK);
    }
}
