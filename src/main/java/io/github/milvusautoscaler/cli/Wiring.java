package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.actuate.KubernetesOptions;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.KubernetesSettings;
import io.github.milvusautoscaler.config.PrometheusSettings;
import io.github.milvusautoscaler.config.ServerSettings;
import io.github.milvusautoscaler.config.SignalQuery;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.PrometheusAuth;
import io.github.milvusautoscaler.engine.EngineTarget;
import io.github.milvusautoscaler.metrics.LabelScheme;
import io.github.milvusautoscaler.metrics.PrometheusEndpoint;
import io.github.milvusautoscaler.metrics.SignalDef;
import io.github.milvusautoscaler.metrics.TargetQueries;
import io.github.milvusautoscaler.policy.Policy;
import io.github.milvusautoscaler.server.HttpApi;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps validated configuration records to the adapters' own settings. The adapters do not import
 * the config package (DESIGN.md's package table), so this is the one place the two meet.
 */
final class Wiring {

    private Wiring() {
    }

    static PrometheusEndpoint prometheus(PrometheusSettings p) {
        return new PrometheusEndpoint(p.url(), p.timeout(), p.staleAfter(), p.maxSeries(), p.shareWindow(),
                new PrometheusEndpoint.RetrySettings(p.retry().maxAttempts(), p.retry().initialBackoff()),
                new PrometheusEndpoint.BreakerSettings(p.circuitBreaker().failureRateThreshold(),
                        p.circuitBreaker().windowSize(), p.circuitBreaker().openFor()),
                p.auth(), p.headers());
    }

    static Map<InstallKind, LabelScheme> schemes(AutoscalerSettings s) {
        Map<InstallKind, LabelScheme> out = new EnumMap<>(InstallKind.class);
        for (InstallKind k : InstallKind.values()) {
            var scheme = s.labelScheme(k);
            out.put(k, new LabelScheme(scheme.instanceLabel(), scheme.componentLabel()));
        }
        return out;
    }

    static List<TargetQueries> queries(List<TargetSettings> targets) {
        return targets.stream().map(t -> new TargetQueries(t.target(),
                t.signals().stream().map(Wiring::signal).toList(), t.settleQuery(), t.healthQuery())).toList();
    }

    private static SignalDef signal(SignalQuery q) {
        return new SignalDef(q.name(), q.template(), q.perPod(), q.mayBeNegative());
    }

    static List<EngineTarget> engineTargets(List<TargetSettings> targets) {
        return targets.stream().map(t -> new EngineTarget(t.target(), new Policy(t.policy()))).toList();
    }

    static HttpApi.Limits http(ServerSettings s) {
        return new HttpApi.Limits(s.headerTimeout(), s.requestTimeout(), s.maxConnections(),
                s.maxConnectionsPerClient(), s.maxHeaderBytes(), s.maxBufferedBody());
    }

    /** The same limits straight from a loaded config tree (the demo has no full settings). */
    static HttpApi.Limits http(com.typesafe.config.Config cfg) {
        com.typesafe.config.Config s = cfg.getConfig(io.github.milvusautoscaler.config.ConfigLoader.ROOT + ".server");
        return new HttpApi.Limits(s.getDuration("header-timeout"), s.getDuration("request-timeout"),
                s.getInt("max-connections"), s.getInt("max-connections-per-client"), s.getInt("max-header-bytes"),
                s.getBytes("max-buffered-body"));
    }

    static KubernetesOptions kubernetes(KubernetesSettings k) {
        return new KubernetesOptions(path(k.kubeconfig()), k.requestTimeout(), k.retry().maxAttempts(),
                k.retry().initialBackoff(), k.events());
    }

    private static String path(Optional<Path> p) {
        return p.map(Path::toString).orElse("");
    }
}
