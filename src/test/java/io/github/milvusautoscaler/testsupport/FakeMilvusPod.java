package io.github.milvusautoscaler.testsupport;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.InstallKind;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One simulated Milvus pod as Prometheus sees it: the cAdvisor and kube-state-metrics series about
 * the pod, and the Milvus series its component exports, with the real metric names and labels of
 * the install kind's label scheme. Values are driven by the test through setters; counters grow
 * linearly at the set rate as a function of the clock, so a scrape at any instant (or a backfilled
 * history sample) reads an exact value, e.g. {@code setCpuUtilisation(0.8)} on a pod requesting 2
 * cores makes {@code container_cpu_usage_seconds_total} grow by 1.6 per second.
 *
 * <p>Every series carries {@code namespace}, {@code pod} and {@code instance} (the pod name), as a
 * scrape with {@code honor_labels: true} keeps them. Milvus creates most series lazily, and so does
 * this fake: {@code milvus_proxy_req_count} exists for a function only after {@link #setRequestRate},
 * {@code milvus_querynode_stopping_balance_node_num} only while stopping.
 *
 * <p>Sources each series follows (docs/metrics.md gives the same with the queries that read them):
 * <ul>
 *   <li>cAdvisor {@code container_cpu_usage_seconds_total} and {@code container_memory_working_set_bytes},
 *       one series per container plus the pod cgroup ({@code container=""}) and the pause container
 *       ({@code container="POD"}), as the kubelet serves them to the kube-prometheus-stack's kubelet
 *       ServiceMonitor (prometheus-community/helm-charts {@code charts/kube-prometheus-stack/values.yaml},
 *       {@code kubelet.serviceMonitor.cAdvisor}), each written with its own timestamp as cAdvisor writes them, so a
 *       stopped pod's cAdvisor series are not marked stale and linger up to five minutes, as on a Prometheus before
 *       2.48 (no {@code track_timestamps_staleness}, the Debian package these tests run) or a stack that leaves
 *       it off; a current kube-prometheus-stack sets {@code trackTimestampsStaleness: true}, and on Prometheus
 *       2.48 or later they go stale at the next scrape. The default queries join them with kube-state-metrics,
 *       which goes stale at once, so they read the same either way;</li>
 *   <li>kube-state-metrics {@code kube_pod_owner}, {@code kube_pod_status_ready},
 *       {@code kube_pod_container_state_started}, {@code kube_pod_deletion_timestamp} while set,
 *       {@code kube_pod_container_resource_requests}/{@code _limits} (kubernetes/kube-state-metrics
 *       {@code docs/metrics/workload/pod-metrics.md}); {@code kube_pod_labels} is absent as with that doc's
 *       default empty {@code --metric-labels-allowlist};</li>
 *   <li>{@code milvus_num_node} ({@code NumNodes}, {@code pkg/metrics/metrics.go}) on every pod, its
 *       {@code role_name} the component, a mixcoord's one per coordinator it runs (rootcoord, datacoord,
 *       querycoord);</li>
 *   <li>{@code milvus_proxy_req_count} ({@code ProxyFunctionCall}) and {@code milvus_proxy_sq_latency}
 *       ({@code ProxySQLatency}, {@code query_type} from {@code SearchLabel}/{@code HybridSearchLabel}) in
 *       milvus-io/milvus {@code pkg/metrics/proxy_metrics.go} and {@code metrics.go};</li>
 *   <li>{@code milvus_querynode_read_task_ready_len}, {@code _unsolved_len} and
 *       {@code milvus_querynode_stopping_balance_node_num} in {@code pkg/metrics/querynode_metrics.go};</li>
 *   <li>{@code milvus_querycoord_querynode_num} and {@code milvus_querycoord_task_num} in
 *       {@code pkg/metrics/querycoord_metrics.go}, set by querycoord's node manager on node add/remove and by
 *       its task scheduler (throttled to one write per 30 s), {@code milvus_querycoord_collection_num} and
 *       {@code milvus_querycoord_resource_group_replica_total} ({@link #setLoadedReplicas});</li>
 *   <li>{@code milvus_datacoord_task_count} and the pre-2.5.5 {@code milvus_datacoord_index_task_count} in
 *       {@code pkg/metrics/datacoord_metrics.go};</li>
 *   <li>the {@code component} (Helm) or {@code app_kubernetes_io_component} (operator) label as
 *       zilliztech/milvus-helm {@code charts/milvus/templates/servicemonitor.yaml} and
 *       zilliztech/milvus-operator {@code pkg/controllers/podmonitor.go} copy it onto the scrape.</li>
 * </ul>
 */
public final class FakeMilvusPod {

    /** Milvus' latency buckets in milliseconds: {@code prometheus.ExponentialBuckets(1, 2, 18)}. */
    static final double[] LATENCY_BUCKETS_MS = exponential(1, 2, 18);
    /** Latency of every query ({@code query_type="query"}) on a proxy with searches, in ms. */
    private static final double QUERY_LATENCY_MS = 40_000;
    /** Counters start high so a history extrapolated backwards never goes below zero. */
    private static final double COUNTER_BASE = 1_000_000;

    private final String namespace;
    private final String release;
    private final InstallKind install;
    private final String component;
    private final String name;
    private final double cpuRequestCores;
    private final double memoryLimitBytes;
    private final Clock clock;
    private String nodeId;
    private final String deployment;
    private final String replicaSet;
    private java.util.function.Supplier<List<FakeMilvusPod>> peers = List::of;
    private Double querynodeNum;
    /** Collections loaded, as querycoord's milvus_querycoord_collection_num counts them. */
    private double loadedCollections;
    /** In-memory replicas per resource group, summed over the collections loaded there; empty: none loaded. */
    private final Map<String, Double> groupReplicas = new TreeMap<>();
    private boolean cadvisor = true;
    /** Whether cAdvisor's series carry their own timestamps ({@link #cadvisorStaleness}). */
    private boolean cadvisorStamped = true;
    private boolean resources = true;
    private boolean milvusSeries = true;
    private boolean componentLabel = true;
    private volatile boolean statefulSet;

    private final Linear cpuSeconds;
    private final Linear pauseCpuSeconds;
    private double memoryUtilisation;
    private boolean ready = true;
    private boolean readinessExported = true;
    /** metadata.deletionTimestamp, null while the pod is not being deleted ({@link #setDeletedAt}). */
    private Instant deletedAt;
    /** When the Milvus container last started: the pod's creation, a {@link #restartProcess}, or as set. */
    private Instant containerStartedAt;
    private final Map<String, Linear> requests = new TreeMap<>();
    /** Failed requests by function: a series only once set, as Milvus' CounterVec makes one at its first failure. */
    private final Map<String, Linear> failures = new TreeMap<>();
    /** A queryNode's milvus_querynode_sq_req_count for searches; null until set. */
    private Linear queryNodeSearches;
    private double searchLatencyMs = Double.NaN;
    private String latencyQueryType = "search";
    private final Linear[] latencyBuckets = new Linear[LATENCY_BUCKETS_MS.length + 1];
    private final Linear latencySum;
    private double readQueue;
    private double unsolvedQueue;
    private boolean stoppingBalance;
    private final Map<String, Double> querycoordTasks = new TreeMap<>();
    private final java.util.Set<String> movingTasks = new java.util.TreeSet<>();
    private final Map<String, Double> indexTasks = new TreeMap<>();
    private final Map<String, Double> legacyIndexTasks = new TreeMap<>();
    /** A second container beside the Milvus one; null for none ({@link #withSidecar}). */
    private Sidecar sidecar;

    /**
     * A container beside the Milvus one, as a webhook injects it (Istio's istio-proxy) or the operator adds it
     * ({@code spec.components.<component>.sidecars}, milvus-operator deployment_updater.go updateSidecars), with its
     * own request and limit (0: none declared) and use.
     */
    private record Sidecar(String name, double cpuRequestCores, double memoryLimitBytes, double cpuCores,
                           double workingSetBytes, Instant since) {
    }

    /**
     * @param namespace        Kubernetes namespace
     * @param release          Milvus resource or Helm release name
     * @param install          label scheme: OPERATOR ({@code app_kubernetes_io_component}) or HELM ({@code component})
     * @param component        component label value: {@code querynode}, {@code proxy}, {@code datanode},
     *                         {@code indexnode}, or a coordinator ({@code mixcoord}, {@code querycoord}, ...)
     * @param name             pod name
     * @param cpuRequestCores  CPU request of the pod's container
     * @param memoryLimitBytes memory limit of the pod's container
     * @param deployment       the Deployment owning the pod (through a ReplicaSet {@code <deployment>-<hash>}),
     *                         e.g. {@code hr-milvus-querynode} (chart) or {@code x-milvus-querynode-0} (operator)
     * @param clock            the time counters grow with (the system clock against a real Prometheus)
     */
    public FakeMilvusPod(String namespace, String release, InstallKind install, String component, String name,
                         String deployment, double cpuRequestCores, double memoryLimitBytes, Clock clock) {
        this.namespace = requireNonNull(namespace, "namespace");
        this.release = requireNonNull(release, "release");
        this.install = requireNonNull(install, "install");
        this.component = requireNonNull(component, "component");
        this.name = requireNonNull(name, "name");
        this.cpuRequestCores = cpuRequestCores;
        this.memoryLimitBytes = memoryLimitBytes;
        this.clock = requireNonNull(clock, "clock");
        this.deployment = requireNonNull(deployment, "deployment");
        // The Deployment controller names a ReplicaSet <deployment>-<pod-template-hash>.
        this.replicaSet = deployment + "-" + "5d8c7f9b4d";
        this.nodeId = Integer.toString(Math.abs(name.hashCode() % 1000));
        Instant now = clock.instant();
        this.containerStartedAt = now;
        this.cpuSeconds = new Linear(COUNTER_BASE, now);
        this.pauseCpuSeconds = new Linear(COUNTER_BASE, now);
        this.pauseCpuSeconds.set(0.0005, now);
        for (int i = 0; i < latencyBuckets.length; i++) {
            // Bases grow with le, so buckets stay cumulative however far back history goes.
            latencyBuckets[i] = new Linear(COUNTER_BASE + i * 100_000.0, now);
        }
        this.latencySum = new Linear(COUNTER_BASE, now);
        if (runs("datacoord")) {
            // (milvus_querycoord_task_num is absent until querycoord schedules its first task, DESIGN.md, from
            // querycoordv2's task scheduler: see firstQuerycoordTask.)
            for (String state : List.of("JobStateNone", "JobStateInit", "JobStateInProgress", "JobStateFinished",
                    "JobStateFailed", "JobStateRetry")) {
                indexTasks.put(state, 0.0);
            }
            // milvus_datacoord_index_task_count (before 2.5.5) is absent until setLegacyIndexTasks: datacoord writes
            // it when an index task is added, assigned, finished or removed, not when it starts
            // (internal/datacoord/index_meta.go, updateIndexTasksMetrics).
        }
    }

    public String namespace() {
        return namespace;
    }

    public String release() {
        return release;
    }

    public InstallKind install() {
        return install;
    }

    public String component() {
        return component;
    }

    public String name() {
        return name;
    }

    /** The Deployment owning this pod, e.g. {@code hr-milvus-querynode} (or the StatefulSet, see below). */
    public String deployment() {
        return deployment;
    }

    /**
     * Makes the pod one of a StatefulSet named {@link #deployment()}, as the chart's queryNode.statefulset runs it
     * (milvus-helm templates/querynode-statefulset.yaml: same name as the Deployment): kube-state-metrics then
     * exports {@code kube_pod_owner{owner_kind="StatefulSet", owner_name=<statefulset>}} with no ReplicaSet between
     * (kube-state-metrics docs/metrics/workload/pod-metrics.md). Call before the pod is served.
     */
    public FakeMilvusPod ownedByStatefulSet() {
        statefulSet = true;
        return this;
    }

    /** True for a pod of a StatefulSet ({@link #ownedByStatefulSet()}). */
    public boolean statefulSet() {
        return statefulSet;
    }

    /**
     * Which of the pod's series Prometheus gets, for the links {@code doctor} checks: cAdvisor's (the kubelet
     * scraped), requests and limits (set in the pod spec), the Milvus series (a monitor selects the pod) and
     * the install's component label on them (the monitor copies it).
     */
    public synchronized FakeMilvusPod expose(boolean cadvisorSeries, boolean requestsAndLimits, boolean milvus,
                                             boolean withComponentLabel) {
        cadvisor = cadvisorSeries;
        resources = requestsAndLimits;
        milvusSeries = milvus;
        componentLabel = withComponentLabel;
        return this;
    }

    /**
     * Adds a container named {@code name} beside the Milvus one: its own CPU request and memory limit (0: not
     * declared, so kube-state-metrics writes no series for it), using {@code cpuCores} and {@code workingSetBytes}.
     * cAdvisor reports it as a container of its own and in the pod-level cgroup.
     */
    public synchronized FakeMilvusPod withSidecar(String name, double cpuRequestCores, double memoryLimitBytes,
                                                  double cpuCores, double workingSetBytes) {
        sidecar = new Sidecar(name, cpuRequestCores, memoryLimitBytes, cpuCores, workingSetBytes, clock.instant());
        return this;
    }

    /**
     * cAdvisor's series written without their own timestamps, so that Prometheus 2.42 marks them stale when they stop
     * (its scrape fails, or they leave the exposition), as a Prometheus 2.48 or later with track_timestamps_staleness
     * (which a current kube-prometheus-stack sets, {@code kubelet.serviceMonitor.trackTimestampsStaleness}) marks the
     * stamped ones: prometheus.io docs, querying/basics "Staleness".
     */
    public synchronized FakeMilvusPod cadvisorStaleness() {
        cadvisorStamped = false;
        return this;
    }

    /** Whether the pod is being deleted ({@link #setDeletedAt}). */
    public synchronized boolean deleting() {
        return deletedAt != null;
    }

    /** Whether kube_pod_status_ready{condition="true"} is 1. */
    public synchronized boolean ready() {
        return ready;
    }

    /** The pods a coordinator counts for {@code milvus_querycoord_querynode_num} unless set explicitly. */
    void peers(java.util.function.Supplier<List<FakeMilvusPod>> peers) {
        this.peers = requireNonNull(peers, "peers");
    }

    public double cpuRequestCores() {
        return cpuRequestCores;
    }

    public double memoryLimitBytes() {
        return memoryLimitBytes;
    }

    /** CPU used as a fraction of the request: the cAdvisor counter grows at {@code fraction x request} per second. */
    public synchronized FakeMilvusPod setCpuUtilisation(double fraction) {
        cpuSeconds.set(fraction * cpuRequestCores, clock.instant());
        return this;
    }

    /** Working set as a fraction of the memory limit. */
    public synchronized FakeMilvusPod setMemoryUtilisation(double fraction) {
        memoryUtilisation = fraction;
        return this;
    }

    /**
     * Whether kube-state-metrics exports this pod's {@code kube_pod_status_ready}, which KSM writes for every pod it
     * sees (docs/pod-metrics.md): false for a KSM shard that is down (--shard/--total-shards), a --metric-denylist, or
     * a pod deleted from the API (KSM drops it at once, while Prometheus keeps its scraped series a little longer).
     */
    public synchronized FakeMilvusPod exportReadiness(boolean exported) {
        readinessExported = exported;
        return this;
    }

    /**
     * The pod is being deleted since {@code at} (its metadata.deletionTimestamp), or not (null): kube-state-metrics
     * exports kube_pod_deletion_timestamp while it is set. Its readiness is left as set: the kubelet keeps a
     * terminating pod Ready until its readiness probe fails or its containers exit (kubernetes
     * pkg/controller/endpointslice/utils.go podToEndpoint: serving is the pod's Ready condition, terminating its
     * deletionTimestamp).
     */
    public synchronized FakeMilvusPod setDeletedAt(Instant at) {
        deletedAt = at;
        return this;
    }

    /** kube_pod_status_ready{condition="true"} is 1 when ready, {condition="false"} otherwise. */
    /**
     * When the Milvus container started, as kube-state-metrics' {@code kube_pod_container_state_started} says: a pod
     * that has run for an hour when the test's Prometheus starts (one that lost its data) is older than its scrapes.
     */
    public synchronized FakeMilvusPod setContainerStartedAt(Instant at) {
        this.containerStartedAt = requireNonNull(at, "at");
        return this;
    }

    public synchronized FakeMilvusPod setReady(boolean value) {
        ready = value;
        return this;
    }

    /**
     * Requests per second this proxy serves for {@code functionName} ({@code Search}, {@code Query},
     * {@code HybridSearch}, {@code Insert}, ...): {@code milvus_proxy_req_count} with {@code status}
     * {@code total} and {@code success} grows at that rate; a Search rate also feeds the latency histogram.
     */
    public synchronized FakeMilvusPod setRequestRate(String functionName, double perSecond) {
        Instant now = clock.instant();
        requests.computeIfAbsent(functionName, f -> new Linear(COUNTER_BASE, now)).set(perSecond, now);
        if (functionName.equals("Search")) {
            resetLatencyRates(now);
        }
        return this;
    }

    /**
     * Failed requests per second among this proxy's {@code functionName} requests: {@code milvus_proxy_req_count}
     * with {@code status="fail"} grows at that rate. The proxy counts a request under {@code total} when it
     * arrives and under {@code fail} when it fails (milvus-io/milvus internal/proxy/impl.go, pkg/metrics' FailLabel
     * "fail"); a proxy that never failed one has no {@code fail} series at all, so none exists until this is set.
     */
    public synchronized FakeMilvusPod setFailureRate(String functionName, double perSecond) {
        Instant now = clock.instant();
        failures.computeIfAbsent(functionName, f -> new Linear(COUNTER_BASE, now)).set(perSecond, now);
        return this;
    }

    /**
     * Restarts the Milvus process in this pod (a crash, an OOM kill, a liveness restart): the pod keeps its name,
     * the new process its own server id and so a new {@code node_id} on every Milvus series, and its request
     * counters start again from 0 at the same rates. Milvus takes a fresh server id from etcd at every start
     * (milvus-io/milvus internal/util/sessionutil/session_util.go getServerIDWithKey: "Each server get ServerID
     * and add one to id"), which pkg/metrics writes as {@code node_id}; the old process's series leave the scrape.
     */
    public synchronized FakeMilvusPod restartProcess() {
        Instant now = clock.instant();
        containerStartedAt = now;
        nodeId = Integer.toString(Integer.parseInt(nodeId) + 1000);
        for (Map<String, Linear> counters : List.of(requests, failures)) {
            counters.replaceAll((function, counter) -> {
                Linear fresh = new Linear(0, now);
                fresh.set(counter.rate, now);
                return fresh;
            });
        }
        return this;
    }

    /** The {@code node_id} label of this pod's Milvus series: the running process's server id. */
    public synchronized String nodeId() {
        return nodeId;
    }

    /**
     * Searches per second this queryNode serves, as its {@code milvus_querynode_sq_req_count} counts them
     * ({@code QueryNodeSQCount} in pkg/metrics/querynode_metrics.go, {@code query_type="search"},
     * {@code status="total"}): every search reaches the queryNodes whichever proxy API it came through, gRPC or
     * RESTful. The fake leaves out the counter's scope and collection labels, which the queries sum away.
     */
    public synchronized FakeMilvusPod setQueryNodeSearchRate(double perSecond) {
        Instant now = clock.instant();
        if (queryNodeSearches == null) {
            queryNodeSearches = new Linear(COUNTER_BASE, now);
        }
        queryNodeSearches.set(perSecond, now);
        return this;
    }

    /**
     * The {@code query_type} the latency histogram records: {@code search} by default, {@code hybrid_search}
     * as Milvus' proxy labels HybridSearch requests.
     */
    public synchronized FakeMilvusPod setLatencyQueryType(String queryType) {
        latencyQueryType = requireNonNull(queryType, "queryType");
        return this;
    }

    /** Every search takes this long: buckets with {@code le >= ms} grow at the Search rate. */
    public synchronized FakeMilvusPod setSearchLatencyMillis(double ms) {
        searchLatencyMs = ms;
        resetLatencyRates(clock.instant());
        return this;
    }

    /** milvus_querynode_read_task_ready_len: read tasks waiting in the queryNode's ready queue. */
    public synchronized FakeMilvusPod setReadQueue(double tasks) {
        readQueue = tasks;
        return this;
    }

    /** milvus_querynode_read_task_unsolved_len: the channel-handoff gauge, which is not the queue. */
    public synchronized FakeMilvusPod setUnsolvedReadTasks(double tasks) {
        unsolvedQueue = tasks;
        return this;
    }

    /**
     * milvus_querycoord_querynode_num on a coordinator pod; null (the default) counts the queryNode and
     * streamingNode pods of the same install that are served, as querycoord's node manager counts registered
     * queryNodes (from Milvus 2.6 each streamingNode's embedded queryNode among them).
     */
    public synchronized FakeMilvusPod setQuerycoordQueryNodes(Double nodes) {
        querynodeNum = nodes;
        return this;
    }

    /**
     * Collections loaded with their in-memory replicas, on a coordinator pod: {@code milvus_querycoord_collection_num}
     * {@code collections} and {@code milvus_querycoord_resource_group_replica_total{rg}} per group, the replicas of
     * every collection loaded there summed (pkg/metrics/querycoord_metrics.go; querycoordv2's ReplicaManager adds 1
     * to a group's gauge for each replica it puts, and the gauge appears with the first). Until this is called the
     * coordinator exports collection_num 0 and no group gauge, as querycoord does from its start with nothing loaded.
     */
    public synchronized FakeMilvusPod setLoadedReplicas(int collections, Map<String, Integer> replicasPerGroup) {
        loadedCollections = collections;
        groupReplicas.clear();
        replicasPerGroup.forEach((rg, n) -> groupReplicas.put(rg, n.doubleValue()));
        return this;
    }

    /** While true the pod exports milvus_querynode_stopping_balance_node_num 1, as a stopping queryNode does. */
    public synchronized FakeMilvusPod setStoppingBalance(boolean stopping) {
        stoppingBalance = stopping;
        return this;
    }

    /**
     * True when this pod runs {@code coordinator}: its own component, or mixcoord, which runs every coordinator in
     * one process from Milvus 2.4 (and so exports their series).
     */
    private boolean runs(String coordinator) {
        return component.equals(coordinator) || component.equals("mixcoord");
    }

    /** The scheduler's first update writes the gauge of every task type, 0 for those with no task. */
    private void firstQuerycoordTask() {
        if (querycoordTasks.isEmpty()) {
            for (String type : List.of("segment_grow", "segment_reduce", "segment_move", "segment_update",
                    "channel_grow", "channel_reduce", "channel_move", "leader_grow", "leader_reduce", "leader_update")) {
                querycoordTasks.put(type, 0.0);
            }
        }
    }

    /** milvus_querycoord_task_num{querycoord_task_type=type} on a coordinator pod, written once and left there. */
    public synchronized FakeMilvusPod setQuerycoordTasks(String type, double tasks) {
        firstQuerycoordTask();
        querycoordTasks.put(type, tasks);
        movingTasks.remove(type);
        return this;
    }

    /**
     * As {@link #setQuerycoordTasks}, while querycoord keeps scheduling: the gauge alternates between
     * {@code tasks} and {@code tasks + 1} every 30 s (its write throttle), so it changes within any 2m window.
     */
    public synchronized FakeMilvusPod setQuerycoordTasksMoving(String type, double tasks) {
        firstQuerycoordTask();
        querycoordTasks.put(type, tasks);
        movingTasks.add(type);
        return this;
    }

    /** milvus_datacoord_task_count{task_type="JobTypeIndexJob", task_state=state} on a coordinator pod. */
    public synchronized FakeMilvusPod setIndexTasks(String state, double tasks) {
        indexTasks.put(state, tasks);
        return this;
    }

    /**
     * milvus_datacoord_index_task_count{collection_id, index_task_status=status} (Milvus 2.3 to 2.5.4) on a coordinator
     * pod; the first call creates the collection's four statuses at 0 as datacoord's first index job does
     * (internal/datacoord/index_meta.go, updateIndexTasksMetrics: unissued, in-progress, finished, failed).
     */
    public synchronized FakeMilvusPod setLegacyIndexTasks(String status, double tasks) {
        if (legacyIndexTasks.isEmpty()) {
            for (String each : List.of("unissued", "in-progress", "finished", "failed")) {
                legacyIndexTasks.put(each, 0.0);
            }
        }
        legacyIndexTasks.put(status, tasks);
        return this;
    }

    private void resetLatencyRates(Instant now) {
        Linear search = requests.get("Search");
        double rate = search == null ? 0 : search.rate;
        for (int i = 0; i < latencyBuckets.length; i++) {
            double le = i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : Double.POSITIVE_INFINITY;
            latencyBuckets[i].set(!Double.isNaN(searchLatencyMs) && le >= searchLatencyMs ? rate : 0, now);
        }
        latencySum.set(Double.isNaN(searchLatencyMs) ? 0 : rate * searchLatencyMs, now);
    }

    /** The pod's series as of {@code t}, by family name, in exposition order. */
    synchronized Map<String, MetricFamilySamples> families(Instant t) {
        Map<String, MetricFamilySamples> out = new LinkedHashMap<>();
        String container = component;
        // cAdvisor: the container, the pod-level cgroup (container="") and the pause container.
        double cpu = cpuSeconds.at(t);
        double pause = pauseCpuSeconds.at(t);
        double workingSet = memoryUtilisation * memoryLimitBytes;
        if (cadvisor) {
            // cAdvisor stamps each container series with the time it read the cgroup (google/cadvisor
            // metrics/prometheus.go: metricValue{..., timestamp: s.Timestamp}, sent through
            // prometheus.NewMetricWithTimestamp), and Prometheus keeps that stamp (honor_timestamps defaults to
            // true). The fake stamps the instant its value is computed for, so irate() divides by the time the
            // counter really grew over, as on a cluster, not by the scrape start a loaded machine delays.
            Long stamp = cadvisorStamped ? t.toEpochMilli() : null;
            double sideCpu = sidecar == null ? 0
                    : sidecar.cpuCores() * Math.max(0, Duration.between(sidecar.since(), t).toMillis()) / 1000.0;
            double sideMemory = sidecar == null ? 0 : sidecar.workingSetBytes();
            List<Sample> cpuSamples = new ArrayList<>(List.of(
                    sample("container_cpu_usage_seconds_total", cpuTotal(cadvisor(container)), cpu, stamp),
                    sample("container_cpu_usage_seconds_total", cpuTotal(cadvisor("")), cpu + pause + sideCpu, stamp),
                    sample("container_cpu_usage_seconds_total", cpuTotal(cadvisor("POD")), pause, stamp)));
            List<Sample> memorySamples = new ArrayList<>(List.of(
                    sample("container_memory_working_set_bytes", cadvisor(container), workingSet, stamp),
                    sample("container_memory_working_set_bytes", cadvisor(""), workingSet + 1_000_000 + sideMemory,
                            stamp),
                    sample("container_memory_working_set_bytes", cadvisor("POD"), 1_000_000, stamp)));
            if (sidecar != null) {
                cpuSamples.add(sample("container_cpu_usage_seconds_total", cpuTotal(cadvisor(sidecar.name())), sideCpu,
                        stamp));
                memorySamples.add(sample("container_memory_working_set_bytes", cadvisor(sidecar.name()), sideMemory,
                        stamp));
            }
            family(out, "container_cpu_usage_seconds", Collector.Type.COUNTER, cpuSamples);
            family(out, "container_memory_working_set_bytes", Collector.Type.GAUGE, memorySamples);
        }
        // kube-state-metrics.
        // No kube_pod_labels: kube-state-metrics >= 2.10 with an empty --metric-labels-allowlist (the
        // kube-prometheus-stack default) does not export it. The owner chain is exported by default.
        Map<String, String> owner = base();
        owner.put("uid", "uid-" + name);
        owner.put("owner_kind", statefulSet ? "StatefulSet" : "ReplicaSet");
        owner.put("owner_name", statefulSet ? deployment : replicaSet);
        owner.put("owner_is_controller", "true");
        family(out, "kube_pod_owner", Collector.Type.GAUGE, List.of(sample("kube_pod_owner", owner, 1)));
        List<Sample> requested = new ArrayList<>();
        List<Sample> limited = new ArrayList<>();
        if (resources) {
            requested.add(sample("kube_pod_container_resource_requests", resource(container, "cpu", "core"),
                    cpuRequestCores));
            requested.add(sample("kube_pod_container_resource_requests", resource(container, "memory", "byte"),
                    memoryLimitBytes / 2));
            limited.add(sample("kube_pod_container_resource_limits", resource(container, "cpu", "core"),
                    cpuRequestCores * 2));
            limited.add(sample("kube_pod_container_resource_limits", resource(container, "memory", "byte"),
                    memoryLimitBytes));
        }
        // kube-state-metrics writes a series per container for what it declares (internal/store/pod.go).
        if (sidecar != null && sidecar.cpuRequestCores() > 0) {
            requested.add(sample("kube_pod_container_resource_requests", resource(sidecar.name(), "cpu", "core"),
                    sidecar.cpuRequestCores()));
        }
        if (sidecar != null && sidecar.memoryLimitBytes() > 0) {
            limited.add(sample("kube_pod_container_resource_limits", resource(sidecar.name(), "memory", "byte"),
                    sidecar.memoryLimitBytes()));
        }
        if (!requested.isEmpty()) {
            family(out, "kube_pod_container_resource_requests", Collector.Type.GAUGE, requested);
        }
        if (!limited.isEmpty()) {
            family(out, "kube_pod_container_resource_limits", Collector.Type.GAUGE, limited);
        }
        List<Sample> readiness = new ArrayList<>();
        for (String condition : List.of("true", "false", "unknown")) {
            Map<String, String> labels = base();
            labels.put("uid", "uid-" + name);
            labels.put("condition", condition);
            double value = condition.equals("true") ? (ready ? 1 : 0) : condition.equals("false") ? (ready ? 0 : 1) : 0;
            readiness.add(sample("kube_pod_status_ready", labels, value));
        }
        if (readinessExported) {
            family(out, "kube_pod_status_ready", Collector.Type.GAUGE, readiness);
        }
        // kube_pod_container_state_started{namespace, pod, uid, container}: the container's running state's startedAt
        // in Unix seconds, written again when the container restarts (docs/metrics/workload/pod-metrics.md, STABLE).
        Map<String, String> started = base();
        started.put("uid", "uid-" + name);
        started.put("container", container);
        family(out, "kube_pod_container_state_started", Collector.Type.GAUGE,
                List.of(sample("kube_pod_container_state_started", started, containerStartedAt.getEpochSecond())));
        if (deletedAt != null) {
            // kube_pod_deletion_timestamp{namespace, pod, uid}: the pod's metadata.deletionTimestamp in Unix seconds,
            // exported only while it is set (docs/metrics/workload/pod-metrics.md; the docs' "Pods in Terminating
            // state" query counts it).
            Map<String, String> labels = base();
            labels.put("uid", "uid-" + name);
            family(out, "kube_pod_deletion_timestamp", Collector.Type.GAUGE,
                    List.of(sample("kube_pod_deletion_timestamp", labels, deletedAt.getEpochSecond())));
        }
        if (milvusSeries) {
            milvus(out, t);
        }
        return out;
    }

    private void milvus(Map<String, MetricFamilySamples> out, Instant t) {
        // Every Milvus process registers milvus_num_node (cmd/roles/roles.go init: metrics.Register) and sets its
        // role's series to 1 when it registers with etcd (internal/proxy/proxy.go Register:
        // NumNodes.WithLabelValues(nodeID, typeutil.ProxyRole).Inc(), the other roles alike), so a proxy shows it
        // before its first request; typeutil's role names are the component names used here.
        // A mixcoord (the Milvus chart's default coordinator since chart 4.2.4) runs the root, data and query
        // coordinator servers in one process before 2.6 (cmd/roles/roles.go), each registering its own role:
        // internal/datacoord/server.go Register: NumNodes.WithLabelValues(nodeID, typeutil.DataCoordRole).Inc().
        // No series says "mixcoord" (recheck 38, H1: a harness that wrote one hid the legacy index backlog).
        List<Sample> roles = new ArrayList<>();
        for (String role : component.equals("mixcoord") ? List.of("rootcoord", "datacoord", "querycoord")
                : List.of(component)) {
            Map<String, String> node = milvusLabels();
            node.put("role_name", role);
            roles.add(sample("milvus_num_node", node, 1));
        }
        family(out, "milvus_num_node", Collector.Type.GAUGE, roles);
        if (queryNodeSearches != null) {
            // QueryNodeSQCount's labels (pkg/metrics/querynode_metrics.go: node_id, query_type, status, scope,
            // collection_id): a search counted on the shard leader (OnLeader) and again where the leader hands it to
            // a worker (FromLeader), one node being both here; the queries only ask whether the sum grows.
            List<Sample> searches = new ArrayList<>();
            for (String scope : List.of("OnLeader", "FromLeader")) {
                Map<String, String> labels = milvusLabels();
                labels.put("query_type", "search");
                labels.put("status", "total");
                labels.put("scope", scope);
                labels.put("collection_id", "454813474936422400");
                searches.add(sample("milvus_querynode_sq_req_count", labels, queryNodeSearches.at(t)));
            }
            // untyped for the Go name without _total, as milvus_proxy_req_count below
            family(out, "milvus_querynode_sq_req_count", Collector.Type.UNKNOWN, searches);
        }
        if (!requests.isEmpty()) {
            List<Sample> samples = new ArrayList<>();
            requests.forEach((function, counter) -> {
                Linear failed = failures.get(function);
                for (String status : failed == null ? List.of("total", "success") : List.of("total", "success", "fail")) {
                    Map<String, String> labels = milvusLabels();
                    labels.put("function_name", function);
                    labels.put("status", status);
                    // ProxyFunctionCall's last two labels (proxy_metrics.go: node_id, function_name, status,
                    // db_name, collection_name); the queries sum them away.
                    labels.put("db_name", "default");
                    labels.put("collection_name", "docs");
                    // no query reads success, which keeps total's value here
                    samples.add(sample("milvus_proxy_req_count", labels,
                            status.equals("fail") ? failed.at(t) : counter.at(t)));
                }
            });
            // Milvus' Go client exports this counter without a _total suffix; simpleclient would add one to a
            // COUNTER family, so it is exposed untyped to keep the real series name.
            family(out, "milvus_proxy_req_count", Collector.Type.UNKNOWN, samples);
        }
        if (!Double.isNaN(searchLatencyMs)) {
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < latencyBuckets.length; i++) {
                Map<String, String> labels = milvusLabels();
                labels.put("query_type", latencyQueryType);
                labels.put("db_name", "default");
                labels.put("collection_name", "docs");
                labels.put("le", i < LATENCY_BUCKETS_MS.length ? goFloat(LATENCY_BUCKETS_MS[i]) : "+Inf");
                samples.add(sample("milvus_proxy_sq_latency_bucket", labels, latencyBuckets[i].at(t)));
            }
            Map<String, String> labels = milvusLabels();
            labels.put("query_type", latencyQueryType);
            labels.put("db_name", "default");
            labels.put("collection_name", "docs");
            samples.add(sample("milvus_proxy_sq_latency_sum", labels, latencySum.at(t)));
            samples.add(sample("milvus_proxy_sq_latency_count", labels, latencyBuckets[latencyBuckets.length - 1].at(t)));
            // The same histogram carries query_type="query" (metrics.QueryLabel): as many queries, each 40 s, far
            // above any search, so a latency template that forgot its query_type filter reads them.
            double queries = latencyBuckets[latencyBuckets.length - 1].at(t);
            for (int i = 0; i <= LATENCY_BUCKETS_MS.length; i++) {
                Map<String, String> query = milvusLabels();
                query.put("query_type", "query");
                query.put("db_name", "default");
                query.put("collection_name", "docs");
                boolean above = i == LATENCY_BUCKETS_MS.length || LATENCY_BUCKETS_MS[i] >= QUERY_LATENCY_MS;
                query.put("le", i < LATENCY_BUCKETS_MS.length ? goFloat(LATENCY_BUCKETS_MS[i]) : "+Inf");
                samples.add(sample("milvus_proxy_sq_latency_bucket", query, above ? queries : 0));
            }
            Map<String, String> query = milvusLabels();
            query.put("query_type", "query");
            query.put("db_name", "default");
            query.put("collection_name", "docs");
            samples.add(sample("milvus_proxy_sq_latency_sum", query, queries * QUERY_LATENCY_MS));
            samples.add(sample("milvus_proxy_sq_latency_count", query, queries));
            family(out, "milvus_proxy_sq_latency", Collector.Type.HISTOGRAM, samples);
        }
        if (component.equals("querynode")) {
            family(out, "milvus_querynode_read_task_ready_len", Collector.Type.GAUGE,
                    List.of(sample("milvus_querynode_read_task_ready_len", milvusLabels(), readQueue)));
            family(out, "milvus_querynode_read_task_unsolved_len", Collector.Type.GAUGE,
                    List.of(sample("milvus_querynode_read_task_unsolved_len", milvusLabels(), unsolvedQueue)));
            if (stoppingBalance) {
                Map<String, String> labels = milvusLabels();
                labels.remove("node_id");
                family(out, "milvus_querynode_stopping_balance_node_num", Collector.Type.GAUGE,
                        List.of(sample("milvus_querynode_stopping_balance_node_num", labels, 1)));
            }
        }
        if (runs("querycoord")) {
            Map<String, String> nodes = milvusLabels();
            nodes.remove("node_id");
            // Milvus 2.6: a streamingNode's embedded queryNode registers a queryNode session too (its label
            // STREAMING-EMBEDDED, QUERYNODE_STREAMING-EMBEDDED before 2.6.8, in sessionutil), and querycoordv2's
            // watchNodes adds every queryNode session to the node manager that sets this gauge.
            double count = querynodeNum != null ? querynodeNum : peers.get().stream()
                    .filter(p -> (p.component.equals("querynode") || p.component.equals("streamingnode"))
                            && p.namespace.equals(namespace)
                            && p.release.equals(release) && p.install == install)
                    .count();
            family(out, "milvus_querycoord_querynode_num", Collector.Type.GAUGE,
                    List.of(sample("milvus_querycoord_querynode_num", nodes, count)));
            // querycoordv2's server sets it to 0 as it recovers, then counts each collection as it is loaded.
            family(out, "milvus_querycoord_collection_num", Collector.Type.GAUGE,
                    List.of(sample("milvus_querycoord_collection_num", nodes, loadedCollections)));
            if (!groupReplicas.isEmpty()) {
                family(out, "milvus_querycoord_resource_group_replica_total", Collector.Type.GAUGE,
                        labelled("milvus_querycoord_resource_group_replica_total", "rg", groupReplicas, Map.of()));
            }
            Map<String, Double> tasks = new TreeMap<>(querycoordTasks);
            for (String type : movingTasks) {
                tasks.put(type, querycoordTasks.get(type) + (t.getEpochSecond() / 30) % 2);
            }
            if (!tasks.isEmpty()) {
                family(out, "milvus_querycoord_task_num", Collector.Type.GAUGE, labelled("milvus_querycoord_task_num",
                        "querycoord_task_type", tasks, Map.of()));
            }
        }
        if (!indexTasks.isEmpty()) {
            family(out, "milvus_datacoord_task_count", Collector.Type.GAUGE, labelled("milvus_datacoord_task_count",
                    "task_state", indexTasks, Map.of("task_type", "JobTypeIndexJob")));
        }
        if (!legacyIndexTasks.isEmpty()) {
            family(out, "milvus_datacoord_index_task_count", Collector.Type.GAUGE,
                    labelled("milvus_datacoord_index_task_count", "index_task_status", legacyIndexTasks,
                            Map.of("collection_id", "449012345678901234")));
        }
    }

    private List<Sample> labelled(String metric, String label, Map<String, Double> values, Map<String, String> extra) {
        List<Sample> samples = new ArrayList<>();
        values.forEach((value, count) -> {
            Map<String, String> labels = milvusLabels();
            labels.remove("node_id");
            labels.putAll(extra);
            labels.put(label, value);
            samples.add(sample(metric, labels, count));
        });
        return samples;
    }

    private volatile boolean scrapeFails;

    /** Makes this pod's /metrics answer 500 or serve again: see {@link FakeMilvusPods#failScrapes}. */
    FakeMilvusPod failScrapes(boolean fail) {
        scrapeFails = fail;
        return this;
    }

    /** Whether this pod's /metrics answers 500 ({@link #failScrapes}). */
    public boolean scrapeFails() {
        return scrapeFails;
    }

    /**
     * The labels prometheus-operator's Kubernetes discovery gives this pod's scrape target, and so its {@code up}
     * series: namespace and pod, which every ServiceMonitor and PodMonitor target gets (the scrape configs
     * prometheus-operator generates, pkg/prometheus/promcfg.go, relabel __meta_kubernetes_namespace to namespace and
     * __meta_kubernetes_pod_name to pod). Only these two: this fake serves the pod's
     * kube-state-metrics and cAdvisor series from the same endpoint, which carry them already, so no series but up
     * changes.
     */
    public Map<String, String> targetLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("namespace", namespace);
        labels.put("pod", name);
        return labels;
    }

    private Map<String, String> base() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("namespace", namespace);
        labels.put("pod", name);
        labels.put("instance", name);
        return labels;
    }

    /**
     * A cAdvisor series' labels as the kubelet's /metrics/cadvisor writes them: {@code id} (the cgroup path) and
     * {@code name} (the runtime's container name, empty for the pod-level cgroup) beside {@code container},
     * {@code image}, {@code namespace} and {@code pod} (kubernetes pkg/kubelet/server/server.go,
     * containerPrometheusLabelsFunc), plus the {@code metrics_path} kube-prometheus-stack's kubelet
     * ServiceMonitor relabels in (values.yaml, kubelet.serviceMonitor.cAdvisorRelabelings). A template that keeps
     * any of them in its result would split one pod's value in several series here as on a real cluster.
     */
    private Map<String, String> cadvisor(String container) {
        Map<String, String> labels = base();
        String podCgroup = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + name.hashCode() + ".slice";
        String runtimeId = container.isEmpty() ? "" : Integer.toHexString((name + container).hashCode());
        labels.put("container", container);
        labels.put("id", container.isEmpty() ? podCgroup : podCgroup + "/cri-containerd-" + runtimeId + ".scope");
        labels.put("name", runtimeId);
        labels.put("image", container.isEmpty() ? "" : container.equals("POD") ? "registry.k8s.io/pause:3.9"
                : "milvusdb/milvus:v2.5.4");
        labels.put("metrics_path", "/metrics/cadvisor");
        return labels;
    }

    /** cAdvisor's container_cpu_usage_seconds_total carries cpu="total" (google/cadvisor metrics/prometheus.go). */
    private static Map<String, String> cpuTotal(Map<String, String> labels) {
        labels.put("cpu", "total");
        return labels;
    }

    /**
     * A bucket bound as Milvus' Go client writes it: {@code le="1"}, {@code "131072"}, not Java's {@code "1.0"}
     * (prometheus/common expfmt text_create.go writeFloat, strconv 'g' formatting). Prometheus 2.x keeps the
     * text as the label value, so a template matching {@code le="256"} reads nothing against Java's form.
     */
    private static String goFloat(double bound) {
        return bound == Math.rint(bound) && Math.abs(bound) < 1e15 ? Long.toString((long) bound) : Double.toString(bound);
    }

    private Map<String, String> resource(String container, String resource, String unit) {
        Map<String, String> labels = base();
        labels.put("container", container);
        labels.put("node", "node-1");
        labels.put("resource", resource);
        labels.put("unit", unit);
        return labels;
    }

    /** Labels of a Milvus series after the usual relabelling: pod identity plus the scheme's pod labels. */
    private Map<String, String> milvusLabels() {
        Map<String, String> labels = base();
        labels.put("node_id", nodeId);
        labels.put("app_kubernetes_io_instance", release);
        labels.put("app_kubernetes_io_name", "milvus");
        if (componentLabel) {
            labels.put(install == InstallKind.OPERATOR ? "app_kubernetes_io_component" : "component", component);
        }
        return labels;
    }

    private static Sample sample(String name, Map<String, String> labels, double value) {
        return new Sample(name, new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()), value);
    }

    /** A sample written with its own timestamp, in milliseconds, as cAdvisor writes its container series; none if null. */
    private static Sample sample(String name, Map<String, String> labels, double value, Long timestampMs) {
        return timestampMs == null ? sample(name, labels, value)
                : new Sample(name, new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()), value, timestampMs);
    }

    private static void family(Map<String, MetricFamilySamples> out, String name, Collector.Type type,
                               List<Sample> samples) {
        out.put(name, new MetricFamilySamples(name, type, name, samples));
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] buckets = new double[count];
        for (int i = 0; i < count; i++) {
            buckets[i] = start * Math.pow(factor, i);
        }
        return buckets;
    }

    @Override
    public String toString() {
        return namespace + "/" + name + " (" + component + ")";
    }

    /** A counter that grows at {@code rate} per second from {@code base} at {@code anchor}; earlier times extrapolate back. */
    private static final class Linear {
        private double base;
        private Instant anchor;
        private double rate;

        Linear(double base, Instant anchor) {
            this.base = base;
            this.anchor = anchor;
        }

        double at(Instant t) {
            return base + rate * Duration.between(anchor, t).toNanos() / 1e9;
        }

        void set(double newRate, Instant now) {
            base = at(now);
            anchor = now;
            rate = newRate;
        }
    }
}
