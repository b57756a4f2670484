package io.github.milvusautoscaler.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.milvusautoscaler.config.AutoscalerSettings;
import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.config.TargetSettings;
import io.github.milvusautoscaler.core.InstallKind;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyEgressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1TopologySpreadConstraint;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.util.Yaml;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kustomization under deploy/ renders with {@code kubectl kustomize}, every object parses
 * with the official client, and what issue 7 point 1 states holds in the rendered output of each
 * (not only in the base files): the Deployment's security settings, probes, resources and JVM
 * flags; least-privilege RBAC; Service, ServiceMonitor, PodDisruptionBudget and NetworkPolicy
 * that select the pods and the port; and a configuration the daemon's own loader accepts, whose
 * paths and ports agree with the manifests.
 */
class DeployManifestsTest {

    private static final Map<Path, Rendered> RENDERED = new ConcurrentHashMap<>();
    private static final String CONFIG_PATH = "/etc/milvus-autoscaler/autoscaler.conf";
    /** The uid and gid of deploy/Dockerfile's USER. */
    private static final long APP_UID = 65532;

    static Stream<String> kustomizations() {
        List<String> found = Rendered.kustomizations().stream().map(p -> Repo.DEPLOY.relativize(p).toString()).toList();
        // The three issue 7 asks for; a new one joins every test below by itself.
        assertTrue(found.containsAll(List.of("base", "overlays/operator", "overlays/helm")), "kustomizations: " + found);
        return found.stream();
    }

    private static Rendered rendered(String kustomization) {
        return RENDERED.computeIfAbsent(Repo.DEPLOY.resolve(kustomization), Rendered::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void rendersAndEveryObjectParsesWithTheOfficialClient(String kustomization) {
        Rendered r = rendered(kustomization);
        assertEquals(new TreeSet<>(List.of("Namespace", "ServiceAccount", "Role", "ClusterRole", "RoleBinding",
                        "ClusterRoleBinding", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "NetworkPolicy",
                        "ServiceMonitor")),
                new TreeSet<>(r.kinds()), "kinds rendered by " + kustomization);
        // One object of each kind, except RBAC: an overlay adds its reads and writes as one Role per target namespace.
        Set<String> rbacKinds = Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");
        List<String> others = r.kinds().stream().filter(k -> !rbacKinds.contains(k)).toList();
        assertEquals(others.size(), new TreeSet<>(others).size(), "one object of each kind: " + r.kinds());
        // The alert token is created by hand (alerts-token-secret.template.yaml), never rendered.
        assertEquals(List.of(), r.all(V1Secret.class));
        String namespace = r.one(V1Namespace.class).getMetadata().getName();
        Set<String> targetNamespaces = kustomization.equals("base") ? Set.of() : targetNamespaces(kustomization);
        for (var o : r.typed()) {
            if ((o instanceof V1Role || o instanceof V1RoleBinding)
                    && targetNamespaces.contains(o.getMetadata().getNamespace())) {
                continue; // the overlay's per-target-namespace grant
            }
            if (!(o instanceof V1Namespace || o instanceof V1ClusterRole || o instanceof V1ClusterRoleBinding)) {
                assertEquals(namespace, o.getMetadata().getNamespace(), o.getKind() + " " + o.getMetadata().getName());
            }
        }
        for (DynamicKubernetesObject o : r.custom()) {
            assertEquals(namespace, o.getMetadata().getNamespace(), o.getKind());
        }
        assertEquals("restricted", r.one(V1Namespace.class).getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"),
                "the namespace enforces the restricted Pod Security Standard the pods meet");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void deploymentRunsTwoLeaderElectedReplicasWithProbesResourcesAndJvmFlags(String kustomization) {
        Rendered r = rendered(kustomization);
        V1Deployment d = r.one(V1Deployment.class);
        assertEquals(2, d.getSpec().getReplicas(), "two replicas, one leader");
        assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntValue(),
                "a rollout never leaves fewer than two replicas");
        V1Container c = container(d);
        assertEquals(List.of("run", "--config", CONFIG_PATH, "--log-format", "json"), c.getArgs());
        int port = httpPort(c);
        assertProbe(c.getLivenessProbe().getHttpGet(), "/healthz", c);
        assertProbe(c.getReadinessProbe().getHttpGet(), "/readyz", c);
        assertProbe(c.getStartupProbe().getHttpGet(), "/healthz", c);
        assertEquals(8080, port);

        // Requests and limits for CPU and memory, requests within limits.
        Map<String, Quantity> requests = c.getResources().getRequests();
        Map<String, Quantity> limits = c.getResources().getLimits();
        for (String resource : List.of("cpu", "memory")) {
            assertNotNull(requests.get(resource), "request " + resource);
            assertNotNull(limits.get(resource), "limit " + resource);
            assertTrue(requests.get(resource).getNumber().compareTo(limits.get(resource).getNumber()) <= 0,
                    resource + " request <= limit");
        }
        // The heap follows the container limit: 40% of 320Mi = 128Mi, the heap the footprint was measured with; the
        // rest holds the daemon's non-heap (up to 178 MiB resident in all) and a doctor run beside it (86 MiB).
        // On the command line: JAVA_TOOL_OPTIONS would be announced on stderr in plain text, before the JSON log.
        assertFalse(env(c).containsKey("JAVA_TOOL_OPTIONS"), "the JVM prints a plain-text line for it");
        assertEquals("java", c.getCommand().get(0));
        assertEquals(List.of("-jar", "/opt/milvus-autoscaler/milvus-autoscaler.jar"),
                c.getCommand().subList(c.getCommand().size() - 2, c.getCommand().size()), "the image's jar");
        String jvm = String.join(" ", c.getCommand());
        java.util.regex.Matcher percent = java.util.regex.Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(jvm);
        assertTrue(percent.find(), jvm);
        long limitBytes = limits.get("memory").getNumber().longValueExact();
        assertEquals(128L << 20, limitBytes * Integer.parseInt(percent.group(1)) / 100, "the measured 128Mi heap");
        assertTrue(limitBytes >= (178L + 86) << 20, "the daemon at its measured 178 MiB and a doctor run (86 MiB) fit");
        assertTrue(jvm.contains("-XX:+ExitOnOutOfMemoryError"), jvm);
        assertFalse(jvm.contains("-Xmx"), "a fixed -Xmx would ignore the limit: " + jvm);

        // Leader election: the Lease in the pod's namespace, the pod's name as identity.
        assertEquals("metadata.namespace", env(c).get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath());
        assertEquals("metadata.name", env(c).get("POD_NAME").getValueFrom().getFieldRef().getFieldPath());

        // Spread across nodes, counting only this Deployment's pods.
        V1PodSpec pod = d.getSpec().getTemplate().getSpec();
        List<V1TopologySpreadConstraint> spread = pod.getTopologySpreadConstraints();
        assertEquals(1, spread.size());
        assertEquals("kubernetes.io/hostname", spread.get(0).getTopologyKey());
        assertEquals(1, spread.get(0).getMaxSkew());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), spread.get(0).getLabelSelector().getMatchLabels());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void deploymentSecurityMatchesIssue7(String kustomization) {
        V1Deployment d = rendered(kustomization).one(V1Deployment.class);
        V1PodSpec pod = d.getSpec().getTemplate().getSpec();
        V1PodSecurityContext psc = pod.getSecurityContext();
        V1Container c = container(d);
        V1SecurityContext sc = c.getSecurityContext();

        assertEquals(Boolean.TRUE, psc.getRunAsNonRoot(), "pod runAsNonRoot");
        assertEquals(Boolean.TRUE, sc.getRunAsNonRoot(), "container runAsNonRoot");
        // Numeric and not root, so the kubelet can check runAsNonRoot without reading the image.
        assertEquals(APP_UID, psc.getRunAsUser(), "runAsUser");
        assertEquals(APP_UID, psc.getRunAsGroup(), "runAsGroup");
        assertEquals("RuntimeDefault", psc.getSeccompProfile().getType(), "seccompProfile");
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), "capabilities dropped");
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), "no capability added");
        assertFalse(Boolean.TRUE.equals(sc.getPrivileged()), "not privileged");
        assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                || Boolean.TRUE.equals(pod.getHostIPC()), "no host namespaces");

        // Writable: only /tmp, an emptyDir. Everything else mounted is read-only.
        Map<String, V1Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(V1Volume::getName, v -> v));
        List<String> writable = new ArrayList<>();
        for (V1VolumeMount m : c.getVolumeMounts()) {
            if (!Boolean.TRUE.equals(m.getReadOnly())) {
                writable.add(m.getMountPath());
                assertNotNull(volumes.get(m.getName()).getEmptyDir(), m.getMountPath() + " is writable, so an emptyDir");
            }
        }
        assertEquals(List.of("/tmp"), writable, "writable mounts");
        assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getHostPath() != null), "no hostPath");

        // The token: mounted for this pod only (the ServiceAccount does not mount it by default),
        // the standard token and nothing beyond it (no extra projected tokens, no other Secrets).
        assertEquals(Boolean.TRUE, pod.getAutomountServiceAccountToken(), "the pod mounts the token it needs");
        V1ServiceAccount sa = rendered(kustomization).one(V1ServiceAccount.class);
        assertEquals(Boolean.FALSE, sa.getAutomountServiceAccountToken(), "the ServiceAccount does not by default");
        assertEquals(sa.getMetadata().getName(), pod.getServiceAccountName());
        assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getProjected() != null), "no extra projected token");
        List<String> secrets = pod.getVolumes().stream().filter(v -> v.getSecret() != null)
                .map(v -> v.getSecret().getSecretName()).toList();
        assertEquals(List.of(secretTemplate().getMetadata().getName()), secrets, "the only Secret is the alert token");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void rbacIsLeastPrivilege(String kustomization) {
        Rendered r = rendered(kustomization);
        V1ServiceAccount sa = r.one(V1ServiceAccount.class);
        V1Deployment d = r.one(V1Deployment.class);

        // Cluster-wide and read-only in every kustomization: the base ClusterRole reads what both install kinds read,
        // the HPAs; never every Deployment's pod template (env values are often credentials).
        V1ClusterRole read = named(r.all(V1ClusterRole.class), "milvus-autoscaler");
        assertEquals(Set.of("autoscaling/horizontalpodautoscalers: list"), rules(read.getRules()));
        V1Role lease = named(r.all(V1Role.class), "milvus-autoscaler-leader-election");
        // The Lease: create (a name cannot restrict create), get and update on the one Lease only.
        assertEquals(Set.of("coordination.k8s.io/leases: create", "coordination.k8s.io/leases[milvus-autoscaler]: get,update"),
                rules(lease.getRules()));
        assertEquals(d.getMetadata().getNamespace(), lease.getMetadata().getNamespace(),
                "the Lease lives in the pod's namespace (POD_NAMESPACE)");
        switch (kustomization) {
            case "base" -> {
                assertEquals(1, r.all(V1ClusterRole.class).size(), "the base writes nothing");
                assertEquals(1, r.all(V1Role.class).size(), "the base writes nothing");
            }
            case "overlays/operator" -> {
                assertEquals(1, r.all(V1ClusterRole.class).size(), "no cluster-wide grant: a list cannot be narrowed by"
                        + " label, so a cluster-wide one reads every pod template (RBAC audit F1)");
                // One Role per namespace that install.conf names: the Milvus resource is the only thing written; no
                // Deployment patch or get, only the list by label that finds the operator's Deployments and
                // StatefulSets.
                List<V1Role> writes = r.all(V1Role.class).stream().filter(x -> x != lease).toList();
                assertEquals(targetNamespaces(kustomization), writes.stream().map(x -> x.getMetadata().getNamespace())
                        .collect(Collectors.toSet()), "a Role in each target namespace of install.conf, no other");
                for (V1Role w : writes) {
                    assertEquals(Set.of("milvus.io/milvuses: get,patch", "apps/deployments: list", "apps/statefulsets: list",
                            "/events: create"), rules(w.getRules()));
                }
            }
            case "overlays/helm" -> {
                assertEquals(1, r.all(V1ClusterRole.class).size(), "no cluster-wide write");
                // One Role per namespace that install.conf names, reading and patching Deployments (or the chart's
                // StatefulSet mode's StatefulSets) there only.
                List<V1Role> writes = r.all(V1Role.class).stream().filter(x -> x != lease).toList();
                assertEquals(targetNamespaces(kustomization), writes.stream().map(x -> x.getMetadata().getNamespace())
                        .collect(Collectors.toSet()), "a Role in each target namespace of install.conf, no other");
                for (V1Role w : writes) {
                    assertEquals(Set.of("apps/deployments: get,patch", "apps/statefulsets: get,patch", "/events: create"),
                            rules(w.getRules()));
                }
            }
            default -> fail("a new kustomization needs its RBAC stated here: " + kustomization);
        }

        // Every binding binds the Deployment's service account and nothing else, to a role rendered here.
        RbacV1Subject expected = new RbacV1Subject().kind("ServiceAccount").name(sa.getMetadata().getName())
                .namespace(sa.getMetadata().getNamespace());
        for (V1ClusterRoleBinding crb : r.all(V1ClusterRoleBinding.class)) {
            assertEquals(List.of(expected), crb.getSubjects());
            named(r.all(V1ClusterRole.class), crb.getRoleRef().getName());
        }
        assertEquals(r.all(V1ClusterRole.class).size(), r.all(V1ClusterRoleBinding.class).size());
        for (V1RoleBinding rb : r.all(V1RoleBinding.class)) {
            assertEquals(List.of(expected), rb.getSubjects());
            assertEquals("Role", rb.getRoleRef().getKind());
            assertTrue(r.all(V1Role.class).stream().anyMatch(x -> x.getMetadata().getName().equals(rb.getRoleRef().getName())
                    && x.getMetadata().getNamespace().equals(rb.getMetadata().getNamespace())), "RoleBinding " + rb.getMetadata());
        }
        assertEquals(r.all(V1Role.class).size(), r.all(V1RoleBinding.class).size());

        // The Lease name in RBAC is the one the daemon uses.
        AutoscalerSettings settings = config(kustomization);
        assertEquals(settings.kubernetes().leaderElection().leaseName(), lease.getRules().get(1).getResourceNames().get(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void serviceMonitorPdbAndNetworkPolicySelectThePodsAndThePort(String kustomization) {
        Rendered r = rendered(kustomization);
        V1Deployment d = r.one(V1Deployment.class);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        V1Container c = container(d);
        int port = httpPort(c);

        V1Service svc = r.one(V1Service.class);
        assertTrue(podLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet()), "Service selects the pods");
        assertEquals(1, svc.getSpec().getPorts().size());
        var svcPort = svc.getSpec().getPorts().get(0);
        assertEquals(new IntOrString("http"), svcPort.getTargetPort());
        assertEquals("http", svcPort.getName());

        DynamicKubernetesObject sm = r.oneCustom("ServiceMonitor");
        assertEquals("monitoring.coreos.com/v1", sm.getApiVersion());
        JsonObject smSpec = sm.getRaw().getAsJsonObject("spec");
        Map<String, String> smSelector = strings(smSpec.getAsJsonObject("selector").getAsJsonObject("matchLabels"));
        assertTrue(svc.getMetadata().getLabels().entrySet().containsAll(smSelector.entrySet()), "ServiceMonitor selects the Service");
        JsonArray endpoints = smSpec.getAsJsonArray("endpoints");
        assertEquals(1, endpoints.size());
        assertEquals(svcPort.getName(), endpoints.get(0).getAsJsonObject().get("port").getAsString());
        assertEquals("/metrics", endpoints.get(0).getAsJsonObject().get("path").getAsString());
        // No namespaceSelector: the operator looks in the ServiceMonitor's own namespace (promcfg.go), the Service's
        // (checked below), wherever an overlay moves both; a pinned name stayed behind.
        assertEquals(svc.getMetadata().getNamespace(), sm.getMetadata().getNamespace());
        Set<String> smKeys = new TreeSet<>(smSpec.keySet());
        assertEquals(Set.of("selector", "endpoints"), smKeys, "no misspelt ServiceMonitor field, no pinned namespace");

        V1PodDisruptionBudget pdb = r.one(V1PodDisruptionBudget.class);
        assertEquals(new IntOrString(1), pdb.getSpec().getMinAvailable());
        // a crash-looping replica (a refused config) must not block a node drain
        assertEquals("AlwaysAllow", pdb.getSpec().getUnhealthyPodEvictionPolicy());
        assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));

        V1NetworkPolicy np = r.one(V1NetworkPolicy.class);
        assertTrue(podLabels.entrySet().containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet()));
        assertEquals(List.of("Ingress", "Egress"), np.getSpec().getPolicyTypes());
        // In: only the HTTP port, by name or number.
        for (V1NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
            assertNotNull(rule.getPorts(), "an ingress rule without ports opens every port");
            for (V1NetworkPolicyPort p : rule.getPorts()) {
                assertTrue(p.getPort().equals(new IntOrString("http")) || p.getPort().equals(new IntOrString(port)), "ingress port " + p);
                assertEquals("TCP", p.getProtocol());
            }
        }
        // Out: DNS, the API server, Prometheus; every rule names its ports.
        Set<String> egress = new TreeSet<>();
        for (V1NetworkPolicyEgressRule rule : np.getSpec().getEgress()) {
            assertNotNull(rule.getPorts(), "an egress rule without ports allows everything to its peers");
            rule.getPorts().forEach(p -> egress.add(p.getProtocol() + "/" + p.getPort()));
        }
        URI prometheus = URI.create(config(kustomization).prometheus().url());
        assertEquals(new TreeSet<>(Set.of("UDP/53", "TCP/53", "TCP/443", "TCP/6443", "TCP/" + prometheus.getPort())), egress);
        // The Prometheus rule allows the namespace the configured URL names (service.namespace).
        String prometheusNamespace = prometheus.getHost().split("\\.")[1];
        assertTrue(np.getSpec().getEgress().stream().anyMatch(rule -> rule.getTo().stream().anyMatch(peer ->
                        peer.getNamespaceSelector() != null && prometheusNamespace.equals(
                                peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name")))
                        && rule.getPorts().stream().anyMatch(p -> p.getPort().equals(new IntOrString(prometheus.getPort())))),
                "egress to Prometheus in namespace " + prometheusNamespace);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void configMapHoldsAConfigTheDaemonAcceptsAndThatAgreesWithTheManifests(String kustomization) {
        Rendered r = rendered(kustomization);
        V1Deployment d = r.one(V1Deployment.class);
        V1Container c = container(d);
        V1PodSpec pod = d.getSpec().getTemplate().getSpec();
        AutoscalerSettings settings = config(kustomization);

        // The generated ConfigMap (name with content hash) is the one mounted at the config's folder.
        V1ConfigMap cm = r.one(V1ConfigMap.class);
        V1VolumeMount configMount = mount(c, Path.of(CONFIG_PATH).getParent().toString());
        assertEquals(cm.getMetadata().getName(), volume(pod, configMount.getName()).getConfigMap().getName());
        assertTrue(cm.getData().containsKey(Path.of(CONFIG_PATH).getFileName().toString()));

        assertEquals(httpPort(c), settings.server().port(), "server.port is the container port the probes use");
        assertEquals("-", settings.decisionLogPath(), "decisions go to standard output: the root filesystem is read-only");
        assertTrue(settings.dryRun(), "a first install decides without writing");

        // The alert token file is the mounted Secret's key, the same Secret and key as the template.
        Path token = settings.alerts().bearerTokenFile().orElseThrow();
        V1VolumeMount tokenMount = mount(c, token.getParent().toString());
        V1Volume tokenVolume = volume(pod, tokenMount.getName());
        V1Secret template = secretTemplate();
        assertEquals(template.getMetadata().getName(), tokenVolume.getSecret().getSecretName());
        assertEquals(Set.of(token.getFileName().toString()), template.getStringData().keySet());
        assertEquals(token.getFileName().toString(), tokenVolume.getSecret().getItems().get(0).getKey());
        assertEquals(token.getFileName().toString(), tokenVolume.getSecret().getItems().get(0).getPath());
        assertFalse(Boolean.TRUE.equals(tokenVolume.getSecret().getOptional()),
                "without the Secret the pod waits; the endpoint is never open");
        assertEquals(0440, tokenVolume.getSecret().getDefaultMode());
        assertEquals(template.getMetadata().getNamespace(), d.getMetadata().getNamespace());
    }

    @Test
    void overlaysScaleOnlyTheirInstallKindAndTheBaseKeepsTheExample() {
        // base: the two clusters of config/autoscaler.conf, one of each install kind.
        assertEquals(Set.of(InstallKind.OPERATOR, InstallKind.HELM), installKinds("base"));
        assertEquals(Set.of(InstallKind.OPERATOR), installKinds("overlays/operator"));
        assertEquals(Set.of(InstallKind.HELM), installKinds("overlays/helm"));
        Function<String, Map<String, String>> data = k -> rendered(k).one(V1ConfigMap.class).getData();
        assertNotEquals(data.apply("overlays/operator").get("install.conf"), data.apply("overlays/helm").get("install.conf"));
        // Only install.conf differs: the tuning (example.conf) and the in-pod layer are shared.
        for (String overlay : List.of("overlays/operator", "overlays/helm")) {
            assertEquals(data.apply("base").get("example.conf"), data.apply(overlay).get("example.conf"));
            assertEquals(data.apply("base").get("autoscaler.conf"), data.apply(overlay).get("autoscaler.conf"));
        }
    }

    @Test
    void baseExampleConfigIsTheRepositoryExampleByteForByte() throws IOException {
        // kustomize refuses files outside deploy/base, so the base carries a copy of config/autoscaler.conf.
        // After editing the example: cp config/autoscaler.conf deploy/base/config/example.conf
        assertArrayEquals(Files.readAllBytes(Repo.EXAMPLE_CONFIG), Files.readAllBytes(Repo.BASE.resolve("config/example.conf")),
                "deploy/base/config/example.conf differs from config/autoscaler.conf; copy it again");
        assertEquals(Repo.read(Repo.EXAMPLE_CONFIG), rendered("base").one(V1ConfigMap.class).getData().get("example.conf"));
    }

    @Test
    void secretTemplateParsesAndHoldsNoUsableToken() {
        V1Secret secret = secretTemplate();
        String token = secret.getStringData().values().iterator().next();
        assertTrue(token.startsWith("REPLACE-"), "the template's token is an obvious placeholder: " + token);
    }

    @Test
    void dockerfileBuildsWithMavenAndRunsOnlyTheJarAsTheDeploymentsNumericUser() {
        List<String> lines = Repo.read(Repo.DOCKERFILE).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(List.of("FROM maven:3-eclipse-temurin-17 AS build", "FROM eclipse-temurin:17-jre"), from);
        List<String> runtime = lines.subList(lines.indexOf(from.get(1)), lines.size());
        List<String> copies = runtime.stream().filter(l -> l.startsWith("COPY") || l.startsWith("ADD")).toList();
        assertEquals(1, copies.size(), "the runtime image gets the jar and nothing else: " + copies);
        assertTrue(copies.get(0).startsWith("COPY --from=build ") && copies.get(0).contains("/target/milvus-autoscaler.jar "),
                copies.get(0));
        List<String> users = runtime.stream().filter(l -> l.startsWith("USER ")).toList();
        assertEquals(List.of("USER " + APP_UID + ":" + APP_UID), users, "numeric non-root user, as the Deployment runs");
        assertTrue(runtime.stream().noneMatch(l -> l.startsWith("RUN ")), "nothing installed into the runtime image");
        String cmd = lines.stream().filter(l -> l.startsWith("CMD ")).findFirst().orElseThrow();
        assertTrue(cmd.contains("\"" + CONFIG_PATH + "\""), cmd);
    }

    // --- helpers -------------------------------------------------------------------------------

    private static final Map<String, AutoscalerSettings> CONFIGS = new ConcurrentHashMap<>();

    @TempDir
    static Path configDirs;

    /** The rendered ConfigMap's files written out and loaded as the daemon loads them. */
    private static AutoscalerSettings config(String kustomization) {
        return CONFIGS.computeIfAbsent(kustomization, k -> {
            try {
                Path dir = Files.createDirectories(configDirs.resolve(k.replace('/', '-')));
                for (Map.Entry<String, String> e : rendered(k).one(V1ConfigMap.class).getData().entrySet()) {
                    Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
                }
                return ConfigLoader.load(dir.resolve(Path.of(CONFIG_PATH).getFileName()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The rendered configuration of a kustomization, for the alert-routing test. */
    static AutoscalerSettings configOf(String kustomization, Path workDir) {
        Rendered r = rendered(kustomization);
        try {
            Path dir = Files.createDirectories(workDir.resolve(kustomization.replace('/', '-')));
            for (Map.Entry<String, String> e : r.one(V1ConfigMap.class).getData().entrySet()) {
                Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
            return ConfigLoader.load(dir.resolve(Path.of(CONFIG_PATH).getFileName()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<InstallKind> installKinds(String kustomization) {
        return config(kustomization).targets().stream().map(TargetSettings::target).map(t -> t.install())
                .collect(Collectors.toSet());
    }

    static V1Secret secretTemplate() {
        try {
            return (V1Secret) Yaml.load(Repo.SECRET_TEMPLATE.toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static V1Container container(V1Deployment d) {
        List<V1Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), "one container");
        assertTrue(d.getSpec().getTemplate().getSpec().getInitContainers() == null
                || d.getSpec().getTemplate().getSpec().getInitContainers().isEmpty(), "no init containers");
        return containers.get(0);
    }

    private static int httpPort(V1Container c) {
        List<V1ContainerPort> ports = c.getPorts();
        assertEquals(1, ports.size(), "one port");
        assertEquals("http", ports.get(0).getName());
        return ports.get(0).getContainerPort();
    }

    private static void assertProbe(V1HTTPGetAction get, String path, V1Container c) {
        assertEquals(path, get.getPath());
        assertEquals(new IntOrString("http"), get.getPort(), path + " on the HTTP port");
    }

    private static Map<String, V1EnvVar> env(V1Container c) {
        Map<String, V1EnvVar> env = new HashMap<>();
        c.getEnv().forEach(e -> env.put(e.getName(), e));
        return env;
    }

    private static V1VolumeMount mount(V1Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    private static V1Volume volume(V1PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** Rules as {@code group/resource[names]: verbs}, refusing wildcards. */
    private static <T extends io.kubernetes.client.common.KubernetesObject> T named(List<T> objects, String name) {
        return objects.stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseGet(() -> fail("no object named " + name + " among " + objects.size()));
    }

    /** The namespaces of the clusters an overlay's config names. */
    private static Set<String> targetNamespaces(String kustomization) {
        return config(kustomization).targets().stream().map(t -> t.target().namespace()).collect(Collectors.toSet());
    }

    private static Set<String> rules(List<V1PolicyRule> rules) {
        Set<String> out = new TreeSet<>();
        for (V1PolicyRule rule : rules) {
            assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty(), "no non-resource URLs");
            for (List<String> list : List.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())) {
                assertFalse(list.contains("*"), "wildcard in " + rule);
            }
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    String names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty() ? ""
                            : rule.getResourceNames().toString();
                    out.add(group + "/" + resource + names + ": " + String.join(",", rule.getVerbs()));
                }
            }
        }
        return out;
    }

    private static Map<String, String> strings(JsonObject o) {
        Map<String, String> m = new HashMap<>();
        o.entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsString()));
        return m;
    }
}
