package io.github.milvusautoscaler.config;

import static java.util.Objects.requireNonNull;

import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.policy.PolicySettings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.milvusautoscaler.core.InstallKind;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.github.milvusautoscaler.core.LabelScheme;
import io.github.milvusautoscaler.core.PrometheusEndpoint;
import io.github.milvusautoscaler.core.ServerSettings;
import io.github.milvusautoscaler.policy.AlertSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads the daemon's HOCON configuration into validated, immutable {@link AutoscalerSettings}: the
 * user's file layered over the bundled reference.conf (which holds every default), then resolved.
 *
 * <p>Every problem is collected before failing, each located by key path and file:line, e.g.
 * {@code milvus-autoscaler.clusters[0].components.queryNode.max-replicas = 0 (autoscaler.conf:12): must be >= min-replicas (2)},
 * so an SRE fixes a bad file in one pass rather than one restart per typo. Any problem, including a
 * missing file or a syntax error, is an {@link InvalidConfigException}.
 */
public final class ConfigLoader {

    /** The one top-level key of the file. */
    public static final String ROOT = "milvus-autoscaler";

    private static final Config REFERENCE = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(),
            "reference.conf", ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
    private static final ConfigObject REFERENCE_ROOT = (ConfigObject) REFERENCE.resolve().root().get(ROOT);
    private static final KeyChecker.Closed SCHEMA = KeyChecker.schema(REFERENCE_ROOT);

    private ConfigLoader() {
    }

    /**
     * Loads {@code file} over reference.conf.
     *
     * @throws InvalidConfigException listing every problem; for a missing or unreadable file, or a syntax
     *                                error, one whole-file error naming the path (and the line)
     */
    public static AutoscalerSettings load(Path file) {
        requireNonNull(file, "file");
        String shown = file.toString();
        if (!Files.exists(file)) {
            throw fileError(shown, -1, "file not found (looked for " + file.toAbsolutePath().normalize() + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw fileError(shown, -1, "not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw fileError(shown, -1, "not readable by this user");
        }
        Config user;
        // Absolute: typesafe-config resolves a relative include against the including file's parent,
        // and a bare file name has none (it then looked on the classpath and missed the file).
        Path absolute = file.toAbsolutePath().normalize();
        try {
            user = ConfigFactory.parseFile(absolute.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)
                    .setSyntax(ConfigSyntax.CONF).setIncluder(new Includes(absolute)));
        } catch (ConfigException e) {
            throw parseFailure(shown, absolute.getParent(), e);
        }
        return build(user, shown, absolute.getParent());
    }

    /**
     * Whether {@code file} (with its includes) names {@code milvus-autoscaler.clusters} itself, even as
     * {@code []}. A file that loads with no targets and does not say {@code clusters} is almost always
     * a mistake (an emptied ConfigMap, a lost block): the daemon refuses to reload to it and
     * {@code validate-config} warns, because it would stop every loop.
     */
    public static boolean declaresClusters(Path file) {
        try {
            return ConfigFactory.parseFile(file.toAbsolutePath().normalize().toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF))
                    .hasPathOrNull(ROOT + ".clusters");
        } catch (ConfigException e) {
            return false;
        }
    }

    /**
     * Parses HOCON text as if it were a file named {@code originName} (which error lines then show), over
     * reference.conf; for tests and tools.
     *
     * @throws InvalidConfigException listing every problem
     */
    public static AutoscalerSettings parse(String hocon, String originName) {
        requireNonNull(hocon, "hocon");
        requireNonNull(originName, "originName");
        Config user;
        try {
            user = ConfigFactory.parseString(hocon,
                    ConfigParseOptions.defaults().setOriginDescription(originName).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw parseFailure(originName, null, e);
        }
        return build(user, originName, null);
    }

    /**
     * The policy settings a target of {@code component} would get from {@code root} (a resolved
     * configuration with a {@code milvus-autoscaler} block): {@code defaults} and
     * {@code component-defaults} apply, the file's own clusters do not. The simulator uses it so a
     * simulated target is tuned exactly like a real one.
     *
     * @throws InvalidConfigException when those layers are invalid
     */
    public static PolicySettings policyFor(Config root, Component component) {
        requireNonNull(root, "root");
        requireNonNull(component, "component");
        String version = component == Component.STREAMING_NODE ? "2.6" : "2.5";
        Config cluster = ConfigFactory.parseString(ROOT + ".clusters = [{namespace = simulated, name = simulated, "
                + "install = operator, milvus-version = \"" + version + "\", components { " + component.configName()
                + " {} }}]", ConfigParseOptions.defaults().setOriginDescription("simulator"));
        return build(cluster.withFallback(root.withoutPath(ROOT + ".clusters")), "simulator", null).targets().get(0).policy();
    }

    /** The settings of an empty user file: reference.conf's defaults and no targets. */
    public static AutoscalerSettings defaults() {
        return parse("", "defaults");
    }

    /** {@code base}: the main file's folder, which included files are shown relative to; null for text. */
    private static AutoscalerSettings build(Config user, String shown, Path base) {
        Config merged;
        try {
            merged = user.withFallback(REFERENCE).resolve();
        } catch (ConfigException e) {
            throw parseFailure(shown, base, e);
        }
        Errors errors = new Errors(base, Substitutions.in(user));
        KeyChecker checker = new KeyChecker(errors);
        ConfigObject top = merged.root();
        for (String key : new TreeSet<>(user.root().keySet())) {
            if (key.equals(ROOT)) {
                checker.check(top.get(key), SCHEMA, ROOT);
            } else {
                errors.add(key, top.get(key), KeyChecker.unknownKey(key, Set.of(ROOT)));
            }
        }
        ConfigValue rootValue = top.get(ROOT);
        if (rootValue.valueType() != ConfigValueType.OBJECT) {
            errors.add(ROOT, rootValue, Node.MUST_BE_OBJECT);
            throw new InvalidConfigException(errors.sorted());
        }
        Node root = Node.of((ConfigObject) rootValue, ROOT, errors);

        GlobalReader global = new GlobalReader(errors);
        PrometheusEndpoint prometheus = global.prometheus(root.child("prometheus"));
        KubernetesSettings kubernetes = global.kubernetes(root.child("kubernetes"));
        GlobalReader.Loop loop = global.loop(root.child("loop"));
        if (prometheus != null && loop != null) {
            global.shareWindowBelowInterval(root.child("prometheus"), root.child("loop"));
        }
        GlobalReader.TopLevel small = global.topLevel(root);
        ServerSettings server = global.server(root.child("server"));
        ConfigObject referenceRoute = (ConfigObject) ((ConfigList) ((ConfigObject) REFERENCE_ROOT.get("alerts"))
                .get("routes")).get(0);
        AlertsSettings alerts = global.alerts(root.child("alerts"), referenceRoute);
        Map<InstallKind, LabelScheme> labelSchemes = global.labelSchemes(root.child("label-schemes"));
        Node queriesNode = root.child("queries");
        Map<String, String> queries = global.queries(queriesNode, (ConfigObject) REFERENCE_ROOT.get("queries"));

        ConfigObject referenceSignals = (ConfigObject) ((ConfigObject) REFERENCE_ROOT.get("defaults")).get("signals");
        Node newSignal = root.child("new-signal-defaults");
        AlertSettings alertPolicy = alerts == null ? null : new AlertSettings(alerts.step(), alerts.cooldown(),
                alerts.carryOver());
        List<TargetSettings> targets = List.of();
        if (newSignal != null) {
            targets = new TargetReader(errors, referenceSignals, newSignal.object(), queriesNode, queries, alertPolicy)
                    .read(root);
        }

        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors.sorted());
        }
        return new AutoscalerSettings(prometheus, kubernetes, loop.interval(), loop.jitter(), small.reloadInterval(),
                small.dryRun(), small.maxActionsPerHour(), small.decisionLogPath(), small.decisionLogEveryHold(), server, alerts, labelSchemes, queries,
                targets, merged.getConfig(ROOT));
    }

    private static InvalidConfigException fileError(String file, int line, String rule) {
        Errors errors = new Errors();
        errors.file(file, line, rule);
        return new InvalidConfigException(errors.sorted());
    }

    /**
     * A syntax error, an unreadable include or an unresolvable substitution, as one whole-file error:
     * {@code config/autoscaler.conf:7: syntax error: Expecting close brace } or a comma, got end of file}.
     */
    private static InvalidConfigException parseFailure(String shown, Path base, ConfigException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String file = shown;
        int line = -1;
        if (e.origin() != null) {
            String prefix = e.origin().description() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
            line = Origins.line(e.origin());
            String originFile = Origins.file(e.origin());
            if (!Origins.baseName(shown).equals(originFile)) {
                file = e.origin().filename() != null ? Origins.shown(e.origin().filename(), base) : originFile;
            }
        }
        // UnresolvedSubstitution extends Parse, so it is tested first.
        String kind = e instanceof ConfigException.UnresolvedSubstitution ? ""
                : e instanceof ConfigException.Parse ? "syntax error: " : "cannot read: ";
        if (e instanceof ConfigException.Parse && !(e instanceof ConfigException.UnresolvedSubstitution)
                && e.origin() != null && e.origin().filename() != null && unquotedUrl(Path.of(e.origin().filename()), line)) {
            message += "; quote URLs (url = \"http://...\"): unquoted, HOCON reads // as the start of a comment";
        } else if (e instanceof ConfigException.Parse && message.contains("end of file")) {
            // Typesafe names what it expected at the end ("a close parentheses ')'" for an unclosed {), and the line
            // is the last one: the cause is further up (audit-input F11).
            // Typesafe's "close parentheses ')'" is its name for what closes a {: HOCON has no parentheses.
            message = message.replace("expecting a close parentheses ')'", "expecting a close brace or bracket")
                    + "; the file ended first: a { or [ opened earlier is not closed"
                    + (e.origin() != null && e.origin().filename() != null
                    ? Brackets.unclosedHint(Path.of(e.origin().filename())) : "");
        }
        return fileError(file, line, kind + message);
    }

    private static final java.util.regex.Pattern UNQUOTED_URL = java.util.regex.Pattern.compile("[=:]\\s*https?://");

    /** Whether line {@code line} of {@code file} (or the one before, where the parser often stops) has a URL unquoted. */
    private static boolean unquotedUrl(Path file, int line) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(file);
            for (int i = Math.max(1, line - 1); i <= Math.min(lines.size(), line); i++) {
                if (UNQUOTED_URL.matcher(lines.get(i - 1)).find()) {
                    return true;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no hint then
        }
        return false;
    }
}
