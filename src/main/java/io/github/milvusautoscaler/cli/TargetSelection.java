package io.github.milvusautoscaler.cli;

import io.github.milvusautoscaler.actuate.ApiClients;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.core.KubernetesSettings;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthenticationV1Api;
import io.kubernetes.client.openapi.models.V1SelfSubjectReview;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE --target NS/NAME/COMPONENT} pair of the commands that act on one target
 * ({@code scale}, {@code pause}, {@code resume}), loaded through {@link ConfigAndCluster} so the config
 * and the cluster are chosen exactly as {@code signals} and {@code doctor} choose them.
 */
final class TargetSelection {

    /** Milvus scales worker nodes only; the config refuses these, and so do the commands, by name. */
    static final Set<String> COORDINATORS = Set.of("rootcoord", "datacoord", "querycoord", "indexcoord", "mixcoord");
    /**
     * The User-Agent of these commands' Kubernetes requests: the daemon's own prefix (so RBAC checks see
     * them) but apart from it, so an audit log (and a test) can tell a person's command from the daemon.
     */
    static final String USER_AGENT = ApiClients.USER_AGENT + "-cli";

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The HOCON configuration file.")
    Path config;

    @Option(names = "--target", required = true, paramLabel = "NS/NAME/COMPONENT",
            description = "The component to act on, e.g. milvus/my-release/queryNode.")
    String target;

    /** The loaded settings and the one target chosen. */
    record Chosen(ConfigAndCluster.Selected selected, TargetSettings settings) {
    }

    /**
     * The target's settings, or empty after one line on {@code err} naming the problem (a malformed
     * {@code --target}, a coordinator, a component the config does not scale, every config error); the
     * command then exits {@link Main#EXIT_USAGE}.
     */
    Optional<Chosen> load(String command, PrintWriter err) {
        return load(command, err, true);
    }

    /** As {@link #load(String, PrintWriter)}; {@code queriesPrometheus} as {@link ConfigAndCluster#load}'s. */
    Optional<Chosen> load(String command, PrintWriter err, boolean queriesPrometheus) {
        String[] parts = target.split("/", -1);
        if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
            return refuse(err, command + ": --target " + target + " is not NS/NAME/COMPONENT (e.g. milvus/my-release/queryNode)");
        }
        if (COORDINATORS.contains(parts[2].toLowerCase(Locale.ROOT))) {
            return refuse(err, command + ": " + parts[2] + " is a coordinator; Milvus scales worker nodes only (queryNode,"
                    + " dataNode, indexNode, proxy, streamingNode) and coordinators are never scaled");
        }
        Optional<Component> component = Component.fromName(parts[2]);
        if (component.isEmpty()) {
            return refuse(err, command + ": " + parts[2] + " is no Milvus worker component (queryNode, dataNode, indexNode,"
                    + " proxy, streamingNode)");
        }
        ConfigAndCluster cluster = new ConfigAndCluster();
        cluster.config = config;
        cluster.cluster = parts[0] + "/" + parts[1];
        Optional<ConfigAndCluster.Selected> selected = cluster.load(command, err, queriesPrometheus);
        if (selected.isEmpty()) {
            return Optional.empty();
        }
        Optional<TargetSettings> settings = selected.get().targets().stream()
                .filter(t -> t.target().component() == component.get()).findFirst();
        if (settings.isEmpty()) {
            return refuse(err, command + ": " + cluster.cluster + " has no " + component.get() + " in " + config
                    + "; configured: " + selected.get().targets().stream().map(t -> t.target().component().configName())
                    .toList());
        }
        return Optional.of(new Chosen(selected.get(), settings.get()));
    }

    /** A Kubernetes client from the config's {@code kubernetes} settings, identified as {@link #USER_AGENT}. */
    static ApiClient client(KubernetesSettings options) {
        ApiClient client = ApiClients.create(options);
        client.setUserAgent(USER_AGENT);
        return client;
    }

    /** {@code user@host}: where a command runs, for Events and in {@link #pausedBy}. */
    static String who() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }

    /**
     * Who pauses, for the {@code paused-by} annotation: the Kubernetes user the API server authenticates {@code client}
     * as, then where the command runs, e.g. {@code oidc:alice@example.com (alice@bastion-1)}, so the annotation names
     * whom the audit log names; a shared bastion's OS user alone ({@code root@bastion-1}) named nobody (scale recheck
     * L6). Asked with a SelfSubjectReview (authentication.k8s.io/v1, GA in Kubernetes 1.28, what {@code kubectl auth
     * whoami} sends), which every authenticated user may create (the bootstrap policy's system:basic-user). A server
     * that refuses or does not know it, or does not answer within the client's timeout, leaves {@link #who()}: who
     * paused is worth one request, not a refused pause.
     */
    static String pausedBy(ApiClient client) {
        String where = who();
        try {
            V1SelfSubjectReview review = new AuthenticationV1Api(client).createSelfSubjectReview(new V1SelfSubjectReview()
                    .apiVersion("authentication.k8s.io/v1").kind("SelfSubjectReview")).execute();
            String user = review.getStatus() == null || review.getStatus().getUserInfo() == null ? null
                    : review.getStatus().getUserInfo().getUsername();
            // A name with blanks or parentheses (an LDAP DN, a display name claim) is written with '_' for them: the
            // annotation's shape tells a scale run's pause from another (PauseMarks#byScale).
            return user == null || user.isBlank() ? where : user.replaceAll("[\\s()]", "_") + " (" + where + ")";
        } catch (ApiException | RuntimeException e) {
            return where;
        }
    }

    private static <T> Optional<T> refuse(PrintWriter err, String line) {
        err.println(line);
        err.flush();
        return Optional.empty();
    }
}
