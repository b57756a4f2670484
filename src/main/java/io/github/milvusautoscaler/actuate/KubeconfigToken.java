package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Durations;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.Authentication;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token of a kubeconfig user whose token comes from an exec plugin, an auth provider or a token file,
 * asked for again every refresh period (a minute), where client-java's own refresh failed two ways (recheck 77): a
 * plugin that failed once at a refresh threw an unchecked exception out of every request (the leader-election thread
 * died of it, and that replica never led again while its health checks stayed green), and a plugin that failed when
 * the client was built left it without credentials for good (KubeconfigAuthentication picks DummyAuthentication when
 * the first {@code getCredentials()} gives none), every 401 then blamed on an expired token.
 *
 * <p>Here a refresh that gets no token keeps the token got before, which is still valid for most of its life (EKS'
 * {@code aws eks get-token}: 15 minutes, asked for every minute), and asks again {@value #RETRY_SECONDS}s later, not
 * at every request (a plugin runs a process). With no token at all a request fails as a transport failure that
 * names why ({@link NoToken}, an IOException, which the client turns into an ApiException the callers handle),
 * never as one sent without credentials.
 */
final class KubeconfigToken implements Authentication, Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger(KubeconfigToken.class);

    /** After a refresh that got no token, the next one comes this soon. */
    static final long RETRY_SECONDS = 15;

    /** A request that could not be sent: the kubeconfig's credentials have given no token yet. */
    static final class NoToken extends IOException {
        NoToken(String message) {
            super(message);
        }
    }

    private final Supplier<Map<String, String>> credentials;
    private final String source;
    private final long refreshNanos;
    private final LongSupplier nanoTime;
    private String token;
    private long dueNanos;
    /** Why the last refresh got no token; null after one that did. */
    private String failure;

    /**
     * @param credentials the kubeconfig's {@code getCredentials()}: runs the exec plugin or asks the auth provider
     * @param source      what gives the token, for messages: "the exec plugin /usr/local/bin/aws"
     */
    KubeconfigToken(Supplier<Map<String, String>> credentials, String source, Duration refresh, LongSupplier nanoTime) {
        this.credentials = requireNonNull(credentials, "credentials");
        this.source = requireNonNull(source, "source");
        this.refreshNanos = requireNonNull(refresh, "refresh").toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.dueNanos = nanoTime.getAsLong();
    }

    /**
     * For a kubeconfig whose current user authenticates by a token (exec, auth-provider, token or tokenFile) and not
     * by a client certificate or a user name and password, which client-java's KubeconfigAuthentication tries first
     * and keeps: the authentication to use instead of client-java's; empty for any other user.
     */
    static java.util.Optional<KubeconfigToken> of(KubeConfig config, Duration refresh) throws IOException {
        requireNonNull(config, "config");
        Map<?, ?> user = currentUser(config);
        boolean certificate = config.getDataOrFileRelative(config.getClientCertificateData(),
                config.getClientCertificateFile()) != null
                && config.getDataOrFileRelative(config.getClientKeyData(), config.getClientKeyFile()) != null;
        if (user == null || certificate || notEmpty(config.getUsername()) && notEmpty(config.getPassword())) {
            return java.util.Optional.empty();
        }
        // In the order getCredentials() asks them.
        String source;
        if (user.get("auth-provider") instanceof Map<?, ?> provider) {
            source = "the auth provider " + provider.get("name");
        } else if (user.get("exec") instanceof Map<?, ?> exec) {
            source = "the exec plugin " + exec.get("command");
        } else if (user.containsKey("token") || user.containsKey("tokenFile")) {
            source = user.containsKey("tokenFile") ? "the token file " + user.get("tokenFile") : "the token";
        } else {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new KubeconfigToken(config::getCredentials, source, refresh, System::nanoTime));
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    /** The {@code user} entry of the current context's user, as kubectl resolves it; null when there is none. */
    private static Map<?, ?> currentUser(KubeConfig config) {
        String context = config.getCurrentContext();
        String userName = null;
        for (Object c : nonNull(config.getContexts())) {
            if (c instanceof Map<?, ?> m && context != null && context.equals(m.get("name"))
                    && m.get("context") instanceof Map<?, ?> ctx && ctx.get("user") instanceof String u) {
                userName = u;
            }
        }
        for (Object u : nonNull(config.getUsers())) {
            if (u instanceof Map<?, ?> m && userName != null && userName.equals(m.get("name"))
                    && m.get("user") instanceof Map<?, ?> entry) {
                return entry;
            }
        }
        return null;
    }

    private static List<Object> nonNull(List<Object> list) {
        return list == null ? List.of() : list;
    }

    @Override
    public void provide(ApiClient client) {
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(this).build());
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        String bearer = token();
        if (bearer == null) {
            throw new NoToken("no Kubernetes token: " + source + " of the kubeconfig's user " + failure
                    + "; asked again every " + RETRY_SECONDS + "s");
        }
        return chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + bearer).build());
    }

    /** The token to send: asked for again when due; the last one got while a refresh gets none; null before any. */
    synchronized String token() {
        long now = nanoTime.getAsLong();
        if (now - dueNanos < 0) {
            return token;
        }
        String fresh;
        String why;
        try {
            Map<String, String> got = credentials.get();
            fresh = got == null ? null : got.get(KubeConfig.CRED_TOKEN_KEY);
            why = "gave no token (its own ERROR above says why)";
        } catch (RuntimeException e) {
            fresh = null;
            // The type alone: a message may quote what the plugin printed, which may hold a credential.
            why = "failed (" + e.getClass().getSimpleName() + ")";
        }
        if (fresh != null && !fresh.isBlank()) {
            if (failure != null) {
                LOG.info("Kubernetes credentials: {} gives a token again", source);
            }
            token = fresh.strip();
            failure = null;
            dueNanos = now + refreshNanos;
            return token;
        }
        if (failure == null) {
            LOG.warn("Kubernetes credentials: {} {}; {}, asking again every {}", source, why, token == null
                    ? "requests are not sent until it gives one" : "keeping the token it gave before",
                    Durations.setting(Duration.ofSeconds(RETRY_SECONDS)));
        }
        failure = why;
        dueNanos = now + Duration.ofSeconds(RETRY_SECONDS).toNanos();
        return token;
    }
}
