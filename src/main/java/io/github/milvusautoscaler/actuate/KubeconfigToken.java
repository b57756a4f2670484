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
    private static final long RETRY_NANOS = Duration.ofSeconds(RETRY_SECONDS).toNanos();
    /** How long a request with no token yet waits for the first. */
    static final long WAIT_SECONDS = 10;
    private static final long WAIT_NANOS = Duration.ofSeconds(WAIT_SECONDS).toNanos();

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
    /** A refresh running in the background, and since when; null when none runs. */
    private java.util.concurrent.Future<Map<String, String>> pending;
    private long pendingSince;
    private boolean hangSaid;
    /** When a 401 last made the next request ask for a new token, and the token it rejected. */
    private long forcedNanos;
    private String forcedFor;
    private static final long MIN_FORCED_NANOS = Duration.ofSeconds(2).toNanos();
    /** Runs each refresh: one daemon thread, so a plugin that hangs holds no request and no exit. */
    private final java.util.concurrent.Executor runner;

    /**
     * @param credentials the kubeconfig's {@code getCredentials()}: runs the exec plugin or asks the auth provider
     * @param source      what gives the token, for messages: "the exec plugin /usr/local/bin/aws"
     */
    KubeconfigToken(Supplier<Map<String, String>> credentials, String source, Duration refresh, LongSupplier nanoTime,
                    java.util.concurrent.Executor runner) {
        this.runner = requireNonNull(runner, "runner");
        this.credentials = requireNonNull(credentials, "credentials");
        this.source = requireNonNull(source, "source");
        this.refreshNanos = requireNonNull(refresh, "refresh").toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.dueNanos = nanoTime.getAsLong();
        this.forcedNanos = dueNanos - RETRY_NANOS;
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
        return java.util.Optional.of(new KubeconfigToken(config::getCredentials, source, refresh, System::nanoTime,
                // One thread at most, gone when idle: a client built at each reload leaves none behind.
                new java.util.concurrent.ThreadPoolExecutor(0, 1, 30, java.util.concurrent.TimeUnit.SECONDS,
                        new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                            Thread t = new Thread(r, "kubeconfig-credentials");
                            t.setDaemon(true);
                            return t;
                        })));
    }

    /**
     * The kubeconfig's server, its CA and whether to verify it, as client-java's ClientBuilder.kubeconfig sets them
     * (a server without a scheme is https:// when it names port 443, else http://), without the authentication that
     * method builds, which runs the credentials plugin at once.
     */
    static io.kubernetes.client.util.ClientBuilder cluster(KubeConfig config) throws IOException {
        String server = config.getServer();
        if (server == null) {
            throw new IllegalArgumentException("No server in kubeconfig");
        }
        if (!server.contains("://")) {
            server = (server.contains(":443") ? "https://" : "http://") + server;
        }
        io.kubernetes.client.util.ClientBuilder builder = new io.kubernetes.client.util.ClientBuilder();
        byte[] ca = config.getDataOrFileRelative(config.getCertificateAuthorityData(),
                config.getCertificateAuthorityFile());
        if (ca != null) {
            builder.setCertificateAuthority(ca);
        }
        return builder.setVerifyingSsl(config.verifySSL()).setBasePath(server);
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
            throw noToken();
        }
        Response response = chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + bearer)
                .build());
        if (response.code() == 401) {
            rejected(bearer);
        }
        return response;
    }

    /**
     * Why requests are not sent, as {@link #noToken} says it; empty while a token is in hand. Asks nothing of the
     * plugin: a status read must not start a refresh.
     */
    synchronized java.util.Optional<String> problem() {
        return token != null ? java.util.Optional.empty() : java.util.Optional.of(noToken().getMessage());
    }

    /**
     * Why a request is not sent: no token yet, and why. A run that hangs is waited out, not run again beside (one
     * process, not one per retry), so it says how long it has not answered where it said "asked again every 15s"
     * (recheck 81, R1).
     */
    synchronized NoToken noToken() {
        String why;
        if (pending != null) {
            why = "has not answered for " + Durations.human(Duration.ofNanos(nanoTime.getAsLong() - pendingSince))
                    + (failure == null ? "" : " (the run before " + failure + ")") + "; waiting for it";
        } else {
            why = (failure == null ? "has given none yet" : failure) + "; asked again every " + RETRY_SECONDS + "s";
        }
        return new NoToken("no Kubernetes token: " + source + " of the kubeconfig's user " + why);
    }

    /**
     * The API server answered 401 to {@code sent}: the next request asks for a new token, as client-go does and the
     * Kubernetes docs say of exec credentials ("cached until the server responds with a 401"), where a revoked token
     * was sent until the minute's refresh, and a leader lost its Lease meanwhile (recheck 78, F1). 2 s apart at most,
     * and the same token rejected again only after {@value #RETRY_SECONDS}s: an identity the server rejects whatever
     * token it gets would run the plugin per request.
     */
    synchronized void rejected(String sent) {
        long now = nanoTime.getAsLong();
        // A token not yet rejected is asked past at once (2 s apart at most); the same token again only after 15 s: a
        // second revocation 4 s after the first waited out the 15 s and lost the Lease (recheck 80, F2).
        boolean again = sent.equals(forcedFor);
        if (sent.equals(token) && pending == null && now - forcedNanos >= (again ? RETRY_NANOS : MIN_FORCED_NANOS)) {
            forcedNanos = now;
            forcedFor = sent;
            dueNanos = now;
            LOG.info("Kubernetes credentials: the API server rejected the token {} gave (401); asking it for a new one",
                    source);
        }
    }

    /**
     * The token to send: asked for again when due, in the background; the last one got while a refresh runs or gets
     * none; null before any. A plugin that hangs held every request behind it, the Lease renewals too, for as long as
     * it hung (recheck 78, F2): with a token in hand a request never waits for a refresh, and without one it waits
     * {@value #WAIT_SECONDS}s at most for the first.
     */
    synchronized String token() {
        long now = nanoTime.getAsLong();
        if (pending == null && now - dueNanos >= 0) {
            java.util.concurrent.FutureTask<Map<String, String>> refresh = new java.util.concurrent.FutureTask<>(
                    credentials::get);
            pending = refresh;
            pendingSince = now;
            runner.execute(refresh);
        }
        if (pending == null) {
            return token;
        }
        Map<String, String> got;
        String why;
        try {
            long wait = token != null ? 0 : Math.max(0, pendingSince + WAIT_NANOS - now);
            got = pending.get(wait, java.util.concurrent.TimeUnit.NANOSECONDS);
            why = "gave no token";
        } catch (java.util.concurrent.TimeoutException stillRunning) {
            // Read again: without a token this call has just waited up to WAIT_SECONDS.
            long running = nanoTime.getAsLong() - pendingSince;
            if (running >= WAIT_NANOS) {
                if (!hangSaid) {
                    hangSaid = true;
                    LOG.warn("Kubernetes credentials: {} has not answered for {}; {}", source,
                            Durations.human(Duration.ofNanos(running)), token == null
                                    ? "requests are not sent until it gives a token"
                                    : "keeping the token it gave before");
                }
            }
            return token;
        } catch (java.util.concurrent.ExecutionException e) {
            got = null;
            // The type alone: a message may quote what the plugin printed, which may hold a credential.
            why = "failed (" + e.getCause().getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return token;
        }
        pending = null;
        boolean hangWasSaid = hangSaid;
        hangSaid = false;
        String fresh = got == null ? null : got.get(KubeConfig.CRED_TOKEN_KEY);
        if (fresh != null && !fresh.isBlank()) {
            if (failure != null || hangWasSaid) {
                LOG.info("Kubernetes credentials: {} gives a token again", source);
            }
            token = fresh.strip();
            failure = null;
            dueNanos = now + refreshNanos;
            return token;
        }
        if (failure == null) {
            LOG.warn("Kubernetes credentials: {} {} (client-java's KubeConfig ERROR in the log says why); {}, asking"
                    + " again every {}", source, why, token == null ? "requests are not sent until it gives one"
                    : "keeping the token it gave before", Durations.setting(Duration.ofSeconds(RETRY_SECONDS)));
        }
        failure = why;
        dueNanos = now + RETRY_NANOS;
        return token;
    }
}
