package io.github.milvusautoscaler.deploy;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.util.Yaml;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.dynamic.Dynamics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One kustomization rendered by {@code kubectl kustomize}, every object parsed by the official
 * Kubernetes client: built-in kinds with {@link Yaml#loadAll} into the typed models (which refuse
 * unknown fields, so a misspelt key fails here), custom resources of the Prometheus operator
 * (ServiceMonitor, PrometheusRule), which {@code Yaml} has no model for, with
 * {@link Dynamics#newFromYaml} into a {@link DynamicKubernetesObject} (its JSON is checked field
 * by field by the tests).
 *
 * @param dir     the kustomization folder
 * @param text    kubectl's output
 * @param typed   the built-in objects, in output order
 * @param custom  the custom resources, in output order
 */
record Rendered(Path dir, String text, List<KubernetesObject> typed, List<DynamicKubernetesObject> custom) {

    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    /** API groups whose kinds the client's models cover; anything else is a custom resource. */
    private static final Pattern CUSTOM_API = Pattern.compile("monitoring\\.coreos\\.com/.*");

    Rendered {
        requireNonNull(dir, "dir");
        typed = List.copyOf(typed);
        custom = List.copyOf(custom);
    }

    /** Renders {@code dir} with {@code kubectl kustomize} and parses every object. */
    static Rendered of(Path dir) {
        String text = Tools.run(Repo.ROOT, List.of(Tools.kubectl().toString(), "kustomize", dir.toString())).ok();
        return parse(dir, text);
    }

    /** Parses a multi-document YAML stream as {@link #of} does. */
    static Rendered parse(Path dir, String text) {
        List<String> builtIn = new ArrayList<>();
        List<DynamicKubernetesObject> custom = new ArrayList<>();
        int documents = 0;
        for (String doc : SEPARATOR.split(text)) {
            if (doc.isBlank()) {
                continue;
            }
            documents++;
            Map<String, Object> raw = new org.yaml.snakeyaml.Yaml().load(doc);
            String apiVersion = String.valueOf(raw.get("apiVersion"));
            if (CUSTOM_API.matcher(apiVersion).matches()) {
                custom.add(Dynamics.newFromYaml(doc));
            } else {
                builtIn.add(doc);
            }
        }
        List<KubernetesObject> typed = new ArrayList<>();
        try {
            for (Object o : Yaml.loadAll(String.join("\n---\n", builtIn))) {
                if (!(o instanceof KubernetesObject k)) {
                    return fail(dir + ": not a Kubernetes object: " + o);
                }
                typed.add(k);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": the client's Yaml loader refused the output", e);
        }
        assertEquals(documents, typed.size() + custom.size(), dir + ": objects parsed vs documents rendered");
        return new Rendered(dir, text, typed, custom);
    }

    /** The only object of {@code type}; fails when there is none or more than one. */
    <T> T one(Class<T> type) {
        List<T> all = all(type);
        assertEquals(1, all.size(), dir + ": number of " + type.getSimpleName());
        return all.get(0);
    }

    <T> List<T> all(Class<T> type) {
        return typed.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /** The only custom resource of {@code kind}. */
    DynamicKubernetesObject oneCustom(String kind) {
        List<DynamicKubernetesObject> all = custom.stream().filter(o -> kind.equals(o.getKind())).toList();
        assertEquals(1, all.size(), dir + ": number of " + kind);
        return all.get(0);
    }

    /** Kinds in output order, e.g. {@code [Namespace, ServiceAccount, ...]}. */
    List<String> kinds() {
        List<String> kinds = new ArrayList<>();
        typed.forEach(o -> kinds.add(o.getClass().getSimpleName().replaceFirst("^V\\d+(beta\\d+)?", "")));
        custom.forEach(o -> kinds.add(o.getKind()));
        return kinds;
    }

    /** Every folder under deploy/ holding a kustomization.yaml, sorted. */
    static List<Path> kustomizations() {
        try (var files = Files.walk(Repo.DEPLOY)) {
            return files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
