package io.github.milvusautoscaler.actuate;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Durations;
import io.github.milvusautoscaler.core.LeaderElectionSettings;
import io.github.milvusautoscaler.core.LeaderGate;
import io.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.kubernetes.client.extended.leaderelection.LeaderElectionRecord;
import io.kubernetes.client.extended.leaderelection.LeaderElector;
import io.kubernetes.client.extended.leaderelection.Lock;
import io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the autoscaler's replicas, elected with the official client's
 * {@link LeaderElector} on a {@code coordination.k8s.io/v1} Lease in the autoscaler's namespace.
 * Only the leader writes; followers keep computing decisions.
 *
 * <p>Safety: {@link #isLeader()} is true only while the elector says so AND the last successful
 * renewal started less than renew-deadline ago, timed on the injected monotonic ticker ({@code System::nanoTime}
 * in the daemon), not the wall clock: a node clock stepped back 20 s by NTP would otherwise keep a cut-off
 * leader's gate open 20 s longer, while the follower's own clock says the Lease has expired. A follower takes an
 * unrenewed Lease only lease-duration after it last saw it change, so with 15s/10s a cut-off
 * leader stops <em>sending</em> at least 5s before anyone else may start; this holds even if the
 * elector's own threads are stuck, because the gate reads the renewal time, not a callback. A write sent just
 * inside the gate can still take up to request-timeout (10s) to arrive, and the follower's expiry runs on its wall
 * clock (client-java's LeaderElector); what keeps such a late write harmless is the resourceVersion every
 * replica-count write carries, which the API server checks (409 Conflict for the second of two writes).
 *
 * <p>Hand-over: {@link #close()} (on SIGTERM) drops the flag first, then clears
 * {@code holderIdentity} on the Lease (checked with a fresh read, written with its resourceVersion),
 * so a follower takes over at its next retry instead of after lease-duration. The client's own
 * release on close waits {@code retryPeriod.getSeconds()} for its threads, which is 0 for
 * sub-second periods, so the explicit release here is what makes hand-over reliable.
 *
 * <p>After losing the Lease the replica stands again as a candidate. With leader election
 * disabled, {@link #isLeader()} is always true.
 */
public final class LeaderElection implements LeaderGate, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final LeaderElectionSettings options;
    private final LongSupplier nanoTime;
    private final GatedLock lock;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicReference<String> observedLeader = new AtomicReference<>();

    private boolean leading;
    /**
     * Another holder was seen on the Lease while this replica led (it was deleted and taken, or edited): the gate
     * closes at once rather than at renew-deadline, as it does on expiry. The old leader wrote a scale, posted Events
     * and accepted an alert with 200 up to 8 s after it had logged the new holder (fault recheck F3).
     */
    private boolean displaced;
    private boolean closed;
    /** Another identity has been read as the Lease's holder since this replica started ({@link #anotherLeaderSeen}). */
    private volatile boolean anotherHolderSeen;
    /** The Lease has answered once (a holder seen, or this replica leading): see {@link #attemptFailed}. */
    private volatile boolean answered;
    private Thread thread;
    private Candidacy current;

    /** See {@link #term()}. */
    private final java.util.concurrent.atomic.AtomicLong term = new java.util.concurrent.atomic.AtomicLong();

    private LeaderElection(ApiClient client, LeaderElectionSettings options, LongSupplier nanoTime) {
        this.options = requireNonNull(options, "options");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.lock = options.enabled()
                ? new GatedLock(new LeaseLock(options.namespace(), options.leaseName(), options.identity(),
                LeaseWriteStatus.watch(requireNonNull(client, "client"))), options, nanoTime, term::incrementAndGet)
                : null;
        if (lock != null) {
            lock.holderRead = this::holderRead;
        }
    }

    /**
     * A read of the Lease naming another holder while this replica leads closes the gate then, not when the elector
     * reports the new holder: client-java's renew loop sleeps a retry period after the failed renewal before it
     * reports (LeaderElector.renewLoop, maybeReportTransition), and writes 1.7 s and 0.8 s after the read went out
     * (fault recheck F3's residual). An empty holder (released or cleared) displaces nobody.
     */
    private synchronized void holderRead(String holder) {
        if (holder != null && !holder.isEmpty() && !options.identity().equals(holder)) {
            anotherHolderSeen = true;
        }
        if (leading && holder != null && !holder.isEmpty() && !options.identity().equals(holder) && !displaced) {
            displaced = true;
            LOG.info("leader election: the Lease {}/{} names {}; this replica led until now and stops writing at once",
                    options.namespace(), options.leaseName(), holder);
        }
    }

    /**
     * An election for this process, namespace and identity resolved from the environment when the
     * options leave them empty; call {@link #start()} to stand as candidate.
     *
     * @param nanoTime a monotonic ticker in nanoseconds, {@code System::nanoTime} outside tests
     */
    public static LeaderElection create(ApiClient client, LeaderElectionSettings options, LongSupplier nanoTime) {
        return create(client, options, nanoTime, null);
    }

    /**
     * As {@link #create(ApiClient, LeaderElectionSettings, LongSupplier)}, with the kubeconfig the client was
     * built from (null in a cluster): its current context's namespace is the last place the Lease's
     * namespace is looked for, as kubectl users expect.
     */
    public static LeaderElection create(ApiClient client, LeaderElectionSettings options, LongSupplier nanoTime,
                                        Path kubeconfig) {
        requireNonNull(options, "options");
        if (!options.enabled()) {
            // No Lease, but Events still name who reported them (reportingInstance, source.host): a single replica's
            // identity, resolved the same way; never empty.
            String identity;
            try {
                identity = identity(options.identity(), System.getenv(), LeaderElection::hostName);
            } catch (IllegalStateException noHostName) {
                identity = "milvus-autoscaler";
            }
            return new LeaderElection(null, options.withNamespaceAndIdentity(options.namespace(), identity), nanoTime);
        }
        LeaderElectionSettings resolved = resolve(options, System.getenv(),
                Path.of(Config.SERVICEACCOUNT_NAMESPACE_PATH), LeaderElection::hostName, () -> contextNamespace(kubeconfig));
        return new LeaderElection(client, resolved, nanoTime);
    }

    /** The namespace of the kubeconfig's current context, if the file names one. */
    static Optional<String> contextNamespace(Path kubeconfig) {
        if (kubeconfig == null || !Files.isReadable(kubeconfig)) {
            return Optional.empty();
        }
        try (java.io.Reader reader = Files.newBufferedReader(kubeconfig, StandardCharsets.UTF_8)) {
            String namespace = io.kubernetes.client.util.KubeConfig.loadKubeConfig(reader).getNamespace();
            return Optional.ofNullable(namespace).map(String::strip).filter(n -> !n.isEmpty());
        } catch (IOException | RuntimeException e) {
            // ApiClients already read this file; a context without a namespace is simply none.
            return Optional.empty();
        }
    }

    /**
     * Fills an empty namespace from {@code POD_NAMESPACE}, else the service account's namespace
     * file, else the kubeconfig's current context; an empty identity from {@code POD_NAME}, else {@code HOSTNAME}, else the host name.
     *
     * @throws IllegalStateException when no namespace can be found, naming every place looked at
     */
    static LeaderElectionSettings resolve(LeaderElectionSettings options, Map<String, String> env,
                                         Path serviceAccountNamespace, Supplier<String> hostName) {
        return resolve(options, env, serviceAccountNamespace, hostName, Optional::empty);
    }

    /** As above; when nothing else names the namespace, {@code contextNamespace} (the kubeconfig's current context). */
    static LeaderElectionSettings resolve(LeaderElectionSettings options, Map<String, String> env,
                                         Path serviceAccountNamespace, Supplier<String> hostName,
                                         Supplier<Optional<String>> contextNamespace) {
        String namespace = options.namespace().strip();
        if (namespace.isEmpty()) {
            namespace = env.getOrDefault("POD_NAMESPACE", "").strip();
        }
        if (namespace.isEmpty() && Files.isReadable(serviceAccountNamespace)) {
            try {
                namespace = Files.readString(serviceAccountNamespace, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + serviceAccountNamespace + ": " + e.getMessage(), e);
            }
        }
        if (namespace.isEmpty()) {
            namespace = contextNamespace.get().orElse("");
        }
        if (namespace.isEmpty()) {
            throw new IllegalStateException("leader election needs the Lease's namespace: "
                    + "kubernetes.leader-election.namespace is empty, POD_NAMESPACE is unset, "
                    + serviceAccountNamespace + " does not exist and the kubeconfig's current context names no"
                    + " namespace; set one of them (or disable leader election for a single replica)");
        }
        String identity = identity(options.identity(), env, hostName);
        return options.withNamespaceAndIdentity(namespace, options.identity().isBlank() ? identity + "_" + PROCESS
                : identity);
    }

    /**
     * This process among every one that has run under the same pod name: a container that restarts (liveness, OOM)
     * keeps POD_NAME, and client-java's elector takes a Lease naming its own identity at once, so the restarted
     * process led within its start-up time of a Lease the old one had left to expire on purpose, its last write's
     * outcome unknown (fault recheck F9). kube-controller-manager names its candidates the same way, host name and
     * a UUID (cmd/kube-controller-manager/app/controllermanager.go: {@code id = id + "_" + string(uuid.NewUUID())}).
     */
    static final String PROCESS = java.util.UUID.randomUUID().toString().substring(0, 8);

    /** The configured identity, else {@code POD_NAME}, else {@code HOSTNAME}, else the host name. */
    static String identity(String configured, Map<String, String> env, Supplier<String> hostName) {
        String identity = configured.strip();
        if (identity.isEmpty()) {
            identity = env.getOrDefault("POD_NAME", "").strip();
        }
        if (identity.isEmpty()) {
            identity = env.getOrDefault("HOSTNAME", "").strip();
        }
        if (identity.isEmpty()) {
            identity = hostName.get();
        }
        return identity;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw new IllegalStateException("cannot determine the host name for the leader election identity;"
                    + " set kubernetes.leader-election.identity or POD_NAME", e);
        }
    }

    /** Stands as candidate on a background thread; does nothing when disabled or already started. */
    public synchronized void start() {
        if (!options.enabled() || thread != null || closed) {
            return;
        }
        LOG.info("leader election: standing as {} for Lease {}/{} (lease {}, renew deadline {}, retry {})",
                options.identity(), options.namespace(), options.leaseName(), Durations.setting(options.leaseDuration()),
                Durations.setting(options.renewDeadline()), Durations.setting(options.retryPeriod()));
        thread = new Thread(this::campaign, "milvus-autoscaler-leader-election");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public boolean isLeader() {
        synchronized (this) {
            if (closed) {
                // Also without election: a stopped replica writes nothing, whatever a late tick asks (audit F8).
                return false;
            }
            if (!options.enabled()) {
                return true;
            }
            if (!leading || displaced) {
                return false;
            }
        }
        return lock.renewedWithin(nanoTime.getAsLong(), options.renewDeadline());
    }

    /**
     * The renew deadline: a tick that started longer ago abandons its write, since this replica can
     * vouch for its leadership only within a renew deadline of its last renewal. Unbounded when
     * election is off.
     */
    /**
     * The term of leadership: it moves when the elector says this replica leads again, and when a renewal naming it
     * comes after none, or later than the renew deadline after the last (the gate was closed meanwhile). 0 without
     * election: one replica, always leading.
     */
    @Override
    public long term() {
        return term.get();
    }

    @Override
    public Duration writeDeadline() {
        return options.enabled() ? options.renewDeadline() : UNBOUNDED;
    }

    /**
     * Whether another identity has held the Lease, as this replica has read it, since it started: before that, what
     * it decided as a follower no leader told.
     */
    @Override
    public boolean anotherLeaderSeen() {
        return anotherHolderSeen;
    }

    /** The holder this replica last saw on the Lease (itself when leading), if any yet. */
    public Optional<String> observedLeader() {
        return options.enabled() ? Optional.ofNullable(observedLeader.get()) : Optional.of(options.identity());
    }

    /** The identity written to the Lease. */
    public String identity() {
        return options.identity();
    }

    /** The resolved options (namespace and identity filled in). */
    public LeaderElectionSettings options() {
        return options;
    }

    /**
     * Stops writing at once, stops campaigning and releases the Lease if this replica holds it,
     * so a follower takes over at its next retry. Idempotent.
     */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Stops as {@link #close()} does but leaves the Lease to expire after {@code lease-duration} instead of releasing
     * it: for a stop whose last write's outcome is unknown (its answer never came, and a re-read did not find it), so
     * that an API server still holding the request has that much longer to apply or drop it before a follower writes
     * (concurrency audit N2).
     */
    public void closeKeepingLease() {
        close(false);
    }

    private void close(boolean release) {
        if (!release) {
            // First, so the client's elector cannot give the Lease up as it stops either.
            lock.closeWithoutRelease();
        }
        Candidacy candidacy;
        Thread campaigner;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            leading = false;
            candidacy = current;
            campaigner = thread;
        }
        closing.countDown();
        if (!options.enabled()) {
            return;
        }
        if (candidacy != null) {
            candidacy.elector.close();
        }
        if (campaigner != null) {
            campaigner.interrupt();
            try {
                campaigner.join(options.renewDeadline().plus(options.retryPeriod()).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (release) {
            lock.closeAndRelease();
        } else {
            LOG.warn("leader election: Lease {}/{} left to expire (a follower takes over after {}): the last write's"
                    + " outcome is unknown, and the API server may still apply it", options.namespace(),
                    options.leaseName(), Durations.setting(options.leaseDuration()));
        }
    }

    private void campaign() {
        LeaderElectionConfig config = new LeaderElectionConfig(lock, options.leaseDuration(), options.renewDeadline(),
                options.retryPeriod());
        while (!isClosed()) {
            Candidacy candidacy = new Candidacy(new LeaderElector(config, this::attemptFailed));
            synchronized (this) {
                if (closed) {
                    candidacy.elector.close();
                    return;
                }
                current = candidacy;
            }
            try {
                candidacy.elector.run(() -> started(candidacy), () -> stopped(candidacy), this::newLeader);
            } catch (RuntimeException e) {
                LOG.warn("leader election stopped unexpectedly: {}", e.toString());
            } finally {
                stopped(candidacy);
            }
            if (isClosed()) {
                return;
            }
            // The elector cannot be restarted; a fresh one stands again (its close releases the Lease if it still
            // believes it holds it, so a healthy follower need not wait for expiry). Nothing it throws may end this
            // thread: the replica would never stand again (recheck 77, F1).
            try {
                candidacy.elector.close();
            } catch (RuntimeException e) {
                LOG.warn("leader election: releasing the Lease failed: {}", e.toString());
            }
            try {
                if (closing.await(options.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                if (isClosed()) {
                    return;
                }
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private synchronized void started(Candidacy candidacy) {
        answered = true;
        if (closed || current != candidacy || candidacy.stopped) {
            return;
        }
        leading = true;
        displaced = false;
        term.incrementAndGet();
        LOG.info("leader election: {} is now the leader (Lease {}/{})", options.identity(), options.namespace(),
                options.leaseName());
    }

    private synchronized void stopped(Candidacy candidacy) {
        candidacy.stopped = true;
        if (current == candidacy && leading) {
            leading = false;
            String why = lock == null ? "" : lock.lastWriteFailure();
            LOG.warn("leader election: {} lost the Lease {}/{}; writes stop{}", options.identity(), options.namespace(),
                    options.leaseName(), why.isEmpty() ? "" : " (its last renewal: " + why + ")");
        }
    }

    /**
     * Says a failed Lease attempt. Before the Lease has answered once, a timeout is INFO: each attempt has the retry
     * period (2 s) and a new pod's first call, a cold JVM's first TLS handshake, can take longer, so every pod start
     * logged a WARN TimeoutException and then led at the next try (recheck 54, R4). Any other failure, and every one
     * after the first answer, is a WARN.
     */
    private void attemptFailed(Throwable t) {
        if (!answered && t instanceof java.util.concurrent.TimeoutException) {
            LOG.info("leader election: the first try of Lease {}/{} had no answer within the retry period {} (a new"
                    + " process's first TLS handshake, or a kubeconfig credentials plugin's first token); trying again", options.namespace(), options.leaseName(),
                    Durations.setting(options.retryPeriod()));
            return;
        }
        // A TimeoutException is the elector's own cut at retry-period, said so: its class name said nothing (recheck
        // 106's remark).
        LOG.warn("leader election: acquiring or renewing Lease {}/{} failed: {}", options.namespace(),
                options.leaseName(), t instanceof java.util.concurrent.TimeoutException ? "no answer within the retry"
                        + " period " + Durations.setting(options.retryPeriod()) : t.toString());
    }

    private void newLeader(String identity) {
        answered = true;
        boolean self = options.identity().equals(identity);
        boolean wasLeading;
        synchronized (this) {
            wasLeading = leading && !displaced;
            // Seen as the holder again, by this replica's own renewal or acquisition: the Lease is its own once more.
            displaced = leading && !self;
        }
        // After the gate: whoever reads the new holder here finds this replica no longer leading.
        observedLeader.set(identity);
        LOG.info("leader election: Lease {}/{} is held by {}{}", options.namespace(), options.leaseName(), identity,
                // The client reports the holder before it starts leading: a decision between the two lines is a
                // follower's (recheck 17, F7).
                self ? " (this replica, which writes from the \"is now the leader\" line on)" : wasLeading ? "; this replica led until now and stops writing at once" : "");
    }

    /** One run of the client's elector, which cannot be restarted. */
    private static final class Candidacy {
        final LeaderElector elector;
        boolean stopped;

        Candidacy(LeaderElector elector) {
            this.elector = elector;
        }
    }

    /**
     * The client's LeaseLock with three additions: it remembers when a write naming this replica
     * as holder last started (the gate's evidence), refuses everything once closed so a straggling
     * elector thread cannot re-take the Lease after release, and explains a 403 with the Role rule.
     */
    static final class GatedLock implements Lock {

        private final Lock delegate;
        private final LeaderElectionSettings options;
        private final LongSupplier nanoTime;
        private final ReentrantLock operations = new ReentrantLock();
        /** The ticker's reading when the last write naming this replica started; null when none counts. */
        private final AtomicReference<Long> renewedAt = new AtomicReference<>();
        /** Told the holder of every Lease read, before the elector acts on it ({@link LeaderElection#holderRead}). */
        private volatile java.util.function.Consumer<String> holderRead = holder -> { };
        private volatile boolean closed;
        private volatile boolean everHeld;
        /** Called when a renewal naming this replica ends a gap: none counted before, or the last too long ago. */
        private final Runnable lapsed;
        /**
         * The refusal of the Lease read last explained (401 or 403), 0 when none or after a read succeeded: a cause
         * that changes within one refusal (403 to 401) is said too, where one flag for both kept the second silent
         * (secrets recheck 29, N2).
         */
        private volatile int refusalSaid;
        /** Whether a refused create, and a refused update, has been explained: the two are different rules. */
        private volatile boolean createForbiddenLogged;
        private volatile boolean updateForbiddenLogged;

        /**
         * How this replica's last Lease write failed ("HTTP 429", "no answer: SocketTimeoutException ..."), or the read
         * before it ("HTTP 500 reading it"), or empty when a write landed: said with "lost the Lease", which named no
         * cause, the failing call's own line being a minute's once-only WARN under another logger (recheck 103's
         * remark).
         */
        private volatile String lastWriteFailure = "";
        /** When the Lease write now in flight was sent (a nanoTime reading), or null while none is. */
        private volatile Long writingSince;

        /**
         * How the last Lease write failed, or "no answer for 10s" while one is still in flight: with the renew deadline
         * and kubernetes.request-timeout both 10s, the loss came 5 ms before the hung renewal ended, and named no
         * cause (recheck 106, F2).
         */
        String lastWriteFailure() {
            Long since = writingSince;
            return since != null ? "no answer for " + Durations.human(Duration.ofNanos(nanoTime.getAsLong() - since))
                    : lastWriteFailure;
        }

        GatedLock(Lock delegate, LeaderElectionSettings options, LongSupplier nanoTime, Runnable lapsed) {
            this.delegate = delegate;
            this.options = options;
            this.nanoTime = nanoTime;
            this.lapsed = lapsed;
        }

        @Override
        public LeaderElectionRecord get() throws ApiException {
            operations.lock();
            try {
                if (closed) {
                    throw new ApiException("leader election is closed");
                }
                LeaderElectionRecord record;
                try {
                    record = delegate.get();
                } catch (RuntimeException e) {
                    // The elector handles an ApiException and retries; anything else ended its thread, and this
                    // replica never stood again while /healthz said it was fine (recheck 77, F1: a credentials
                    // plugin's failure thrown out of the client).
                    throw new ApiException(e);
                }
                acceptedAgain();
                if (record != null) {
                    holderRead.accept(record.getHolderIdentity());
                }
                return record;
            } catch (ApiException e) {
                if (e.getCode() == 404) {
                    acceptedAgain(); // answered: no Lease yet, which the elector creates
                } else {
                    // A renewal reads the Lease before it writes: an API server answering 500 to everything failed
                    // the read, no write was tried, and the loss named no cause (recheck 114, F4).
                    lastWriteFailure = (e.getCode() != 0 ? "HTTP " + e.getCode() : "no answer: " + KubernetesRequests
                            .cause(e.getCause() == null ? e : e.getCause())) + " reading it";
                }
                boolean news = (e.getCode() == 401 || e.getCode() == 403) && refusalSaid != e.getCode();
                if (news) {
                    refusalSaid = e.getCode();
                }
                if (e.getCode() == 401 && news) {
                    // Said as the 403 is: without it a replica whose token was rejected stood as a follower with no
                    // word of why (secrets recheck 28, F4).
                    LOG.error("leader election unauthorized (401): the API server rejected this replica's credentials"
                            + " reading Lease {}/{} (an expired or revoked token: the service account's in a pod, the"
                            + " kubeconfig's user outside); until they are accepted it can neither take nor renew the"
                            + " Lease (a leader keeps it until renew-deadline passes)",
                            options.namespace(), options.leaseName());
                }
                if (e.getCode() == 403 && news) {
                    LOG.error("leader election forbidden (403): the service account may not get leases.coordination.k8s.io"
                            + " \"{}\" in namespace \"{}\". The Role milvus-autoscaler-leader-election in that namespace"
                            + " (deploy/base/rbac.yaml) grants get and update on the Lease named milvus-autoscaler only"
                            + " (resourceNames): with another kubernetes.leader-election.lease-name, or in another"
                            + " namespace, give it {apiGroups: [\"coordination.k8s.io\"], resources: [\"leases\"],"
                            + " resourceNames: [\"{}\"], verbs: [\"get\", \"update\"]} and create",
                            options.leaseName(), options.namespace(), options.leaseName());
                }
                throw e;
            } finally {
                operations.unlock();
            }
        }

        /**
         * A Lease read answered after a refusal (401 or 403) was said: said too, as the refusal was; a leader whose one
         * read was refused kept the Lease, and nothing said its credentials were accepted again (recheck 80, F3).
         */
        private void acceptedAgain() {
            if (refusalSaid != 0) {
                LOG.info("leader election: Lease {}/{} answered again after the {} said above", options.namespace(),
                        options.leaseName(), refusalSaid);
            }
            refusalSaid = 0;
        }

        @Override
        public boolean create(LeaderElectionRecord record) {
            return write(record, true);
        }

        @Override
        public boolean update(LeaderElectionRecord record) {
            return write(record, false);
        }

        private boolean write(LeaderElectionRecord record, boolean create) {
            operations.lock();
            try {
                if (closed) {
                    return false;
                }
                long started = nanoTime.getAsLong();
                LeaseWriteStatus.clear();
                boolean ok;
                String failure = "";
                writingSince = started;
                try {
                    ok = create ? delegate.create(record) : delegate.update(record);
                } catch (RuntimeException e) {
                    // A write that failed is one that did not land, as the elector reads false (recheck 77, F1).
                    LOG.debug("leader election: Lease {} failed: {}", create ? "create" : "update", e.toString());
                    ok = false;
                    failure = KubernetesRequests.cause(e.getCause() == null ? e : e.getCause());
                } finally {
                    writingSince = null;
                }
                int status = LeaseWriteStatus.last();
                lastWriteFailure = ok ? "" : status != 0 ? "HTTP " + status : failure.isEmpty() ? "no answer" : failure;
                if (!ok && status == 403 && (create ? !createForbiddenLogged : !updateForbiddenLogged)) {
                    if (create) {
                        createForbiddenLogged = true;
                    } else {
                        updateForbiddenLogged = true;
                    }
                    // client-java's LeaseLock answers a refused write with false alone (its logger is off here): a
                    // replica without update or create on the Lease only said "lost the Lease" (fault recheck F7).
                    LOG.error("leader election forbidden (403): the service account may not {} leases.coordination.k8s.io"
                            + " \"{}\" in namespace \"{}\", so this replica cannot {}. The Role"
                            + " milvus-autoscaler-leader-election in that namespace (deploy/base/rbac.yaml) grants get and"
                            + " update on the Lease named milvus-autoscaler only (resourceNames), and create; give it"
                            + " {apiGroups: [\"coordination.k8s.io\"], resources: [\"leases\"], resourceNames: [\"{}\"],"
                            + " verbs: [\"get\", \"update\"]} and {verbs: [\"create\"]}", create ? "create" : "update",
                            options.leaseName(), options.namespace(), create ? "create the Lease" : "take or renew it",
                            options.leaseName());
                } else if (ok) {
                    // Each said again once it has worked: a Role edited back and forth says so each time.
                    if (create) {
                        createForbiddenLogged = false;
                    } else {
                        updateForbiddenLogged = false;
                    }
                }
                if (ok) {
                    if (options.identity().equals(record.getHolderIdentity())) {
                        Long before = renewedAt.get();
                        if (before == null || started - before >= options.renewDeadline().toNanos()) {
                            lapsed.run(); // the gate was closed between the two: a new term
                        }
                        renewedAt.set(started);
                        everHeld = true;
                    } else {
                        renewedAt.set(null);
                    }
                }
                return ok;
            } finally {
                operations.unlock();
            }
        }

        /**
         * True when a write naming this replica as holder started less than {@code deadline} before {@code now}
         * (both ticker readings; compared by difference, as nanoTime must be).
         */
        boolean renewedWithin(long now, Duration deadline) {
            Long at = renewedAt.get();
            return at != null && now - at < deadline.toNanos();
        }

        /** Refuses all further operations, the elector's own release on stopping included. */
        void closeWithoutRelease() {
            operations.lock();
            try {
                closed = true;
                renewedAt.set(null);
            } finally {
                operations.unlock();
            }
        }

        /** Refuses all further operations and clears holderIdentity if the Lease still names this replica. */
        void closeAndRelease() {
            operations.lock();
            try {
                closed = true;
                renewedAt.set(null);
                if (!everHeld) {
                    return;
                }
                LeaderElectionRecord record = delegate.get();
                String holder = record.getHolderIdentity();
                if (holder == null || holder.isEmpty()) {
                    // The client's elector gives the Lease up itself when it stops as leader.
                    LOG.info("leader election: Lease {}/{} is released", options.namespace(), options.leaseName());
                    return;
                }
                if (!options.identity().equals(holder)) {
                    LOG.info("leader election: Lease {}/{} is held by {} now; nothing to release",
                            options.namespace(), options.leaseName(), holder);
                    return;
                }
                LeaderElectionRecord released = new LeaderElectionRecord();
                released.setLeaseDurationSeconds(record.getLeaseDurationSeconds());
                released.setLeaderTransitions(record.getLeaderTransitions());
                if (delegate.update(released)) {
                    LOG.info("leader election: {} released Lease {}/{}", options.identity(), options.namespace(),
                            options.leaseName());
                } else {
                    LOG.warn("leader election: could not release Lease {}/{}; a follower takes over after {}",
                            options.namespace(), options.leaseName(), Durations.setting(options.leaseDuration()));
                }
            } catch (ApiException e) {
                LOG.warn("leader election: could not read Lease {}/{} to release it ({}); a follower takes over"
                        + " after {}", options.namespace(), options.leaseName(), readFailure(e),
                        Durations.setting(options.leaseDuration()));
            } finally {
                operations.unlock();
            }
        }

        /**
         * Why a Lease read failed, in the words of its cause: client-java gives a failure with no answer code 0, which
         * read as "HTTP 0" when the API server was gone at a stop (drain recheck 58).
         */
        static String readFailure(ApiException e) {
            if (e.getCode() != 0) {
                return "HTTP " + e.getCode();
            }
            return "no answer: " + KubernetesRequests.cause(e.getCause() == null ? e : e.getCause());
        }

        @Override
        public String identity() {
            return delegate.identity();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }
}
