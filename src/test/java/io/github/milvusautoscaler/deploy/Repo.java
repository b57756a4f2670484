package io.github.milvusautoscaler.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository's deploy files, from Maven's {@code basedir} (the working directory otherwise). */
final class Repo {

    static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path BASE = DEPLOY.resolve("base");
    static final Path EXAMPLE_CONFIG = ROOT.resolve("config/autoscaler.conf");
    static final Path RULES = DEPLOY.resolve("prometheus/milvus-autoscaler.rules.yaml");
    static final Path RULE_TESTS = DEPLOY.resolve("prometheus/milvus-autoscaler.rules.test.yaml");
    static final Path PROMETHEUS_RULE = DEPLOY.resolve("prometheus-rules.yaml");
    static final Path ALERTMANAGER_RECEIVER = DEPLOY.resolve("alertmanager-receiver.yaml");
    static final Path SECRET_TEMPLATE = BASE.resolve("alerts-token-secret.template.yaml");
    static final Path DOCKERFILE = DEPLOY.resolve("Dockerfile");
    static final Path DASHBOARD = ROOT.resolve("grafana/milvus-autoscaler.json");

    private Repo() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
