package io.github.milvusautoscaler.metrics;

import io.github.milvusautoscaler.core.TargetQueries;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.SignalQuery;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.Target;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The templates, label schemes and per-component signal defaults exactly as reference.conf ships
 * them, so the integration tests check the shipped PromQL rather than a copy. (The config package
 * does the real resolution; this is the minimum the tests need.)
 */
final class DefaultQueries {

    static final Config ROOT = ConfigFactory.parseResourcesAnySyntax("reference.conf").resolve()
            .getConfig("milvus-autoscaler");

    private DefaultQueries() {
    }

    /** queries.&lt;name&gt;. */
    static String query(String name) {
        return ROOT.getConfig("queries").getString(name);
    }

    static LabelScheme scheme(InstallKind install) {
        Config c = ROOT.getConfig("label-schemes").getConfig(install.name().toLowerCase(Locale.ROOT));
        return new LabelScheme(c.getString("instance-label"), c.getString("component-label"));
    }

    static Map<InstallKind, LabelScheme> schemes() {
        Map<InstallKind, LabelScheme> schemes = new EnumMap<>(InstallKind.class);
        for (InstallKind kind : InstallKind.values()) {
            schemes.put(kind, scheme(kind));
        }
        return schemes;
    }

    /** A signal as defaults.signals.&lt;name&gt; defines it, with its template from queries.&lt;name&gt;. */
    static SignalQuery signal(String name) {
        Config s = ROOT.getConfig("defaults.signals").getConfig(name);
        String query = s.getString("query");
        return new SignalQuery(name, query.isBlank() ? query(name) : query, s.getBoolean("per-pod"));
    }

    /** The signals, settle and health queries a target gets from defaults and component-defaults. */
    static TargetQueries forTarget(Target target) {
        Config defaults = ROOT.getConfig("defaults");
        String componentPath = "component-defaults." + target.component().configName();
        Config merged = ROOT.hasPath(componentPath) ? ROOT.getConfig(componentPath).withFallback(defaults) : defaults;
        List<SignalQuery> signals = new ArrayList<>();
        for (String name : defaults.getConfig("signals").root().keySet().stream().sorted(DefaultQueries::order).toList()) {
            if (merged.getBoolean("signals." + name + ".enabled")) {
                signals.add(signal(name));
            }
        }
        return new TargetQueries(target, signals, merged.getString("settle-query"), merged.getString("health-query"),
                merged.getString("replica-floor-query"));
    }

    /** Configuration order of the shipped signals (HOCON objects do not keep it). */
    private static int order(String a, String b) {
        List<String> shipped = List.of("cpu", "memory", "qps", "read-queue", "index-backlog", "search-latency-p99");
        int ia = shipped.indexOf(a);
        int ib = shipped.indexOf(b);
        return Integer.compare(ia < 0 ? 99 : ia, ib < 0 ? 99 : ib);
    }

    static Target target(String namespace, String name, Component component, InstallKind install) {
        return new Target(namespace, name, component, install);
    }
}
