package io.github.milvusautoscaler.actuate;

import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.util.Yaml;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The rules of deploy/base/rbac.yaml (read-only) plus an overlay's rbac.yaml (its one write) that
 * are bound to the autoscaler's service account, parsed with the official client's
 * {@link Yaml#loadAll}, and the RBAC evaluation of a recorded request.
 */
final class RbacRules {

    static final Path DEPLOY = Path.of(System.getProperty("basedir", "."), "deploy");
    static final Path FILE = DEPLOY.resolve("base").resolve("rbac.yaml");

    /** The overlay whose rbac.yaml adds the write of one install kind. */
    static Path overlay(String name) {
        return DEPLOY.resolve("overlays").resolve(name).resolve("rbac.yaml");
    }
    static final String SERVICE_ACCOUNT = "milvus-autoscaler";

    /** One rule as bound: {@code namespace} null for a ClusterRole bound by a ClusterRoleBinding. */
    record Rule(String role, String namespace, V1PolicyRule rule) {
        boolean allows(Access access) {
            return (namespace == null || namespace.equals(access.namespace()))
                    && contains(rule.getApiGroups(), access.group())
                    && contains(rule.getResources(), access.resource())
                    && contains(rule.getVerbs(), access.verb())
                    && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    || (access.name() != null && rule.getResourceNames().contains(access.name())));
        }

        private static boolean contains(List<String> values, String value) {
            return values != null && (values.contains(value) || values.contains("*"));
        }
    }

    /** What RBAC sees of a request: the verb, API group, resource (with subresource), namespace and name. */
    record Access(String verb, String group, String resource, String namespace, String name) {
        @Override
        public String toString() {
            return verb + " " + resource + (group.isEmpty() ? "" : "." + group) + " in " + namespace
                    + (name == null ? "" : " name=" + name);
        }
    }

    private final List<Rule> rules;
    private final String serviceAccountNamespace;

    private RbacRules(List<Rule> rules, String serviceAccountNamespace) {
        this.rules = rules;
        this.serviceAccountNamespace = serviceAccountNamespace;
    }

    /** The base alone. */
    static RbacRules load() throws IOException {
        return load(List.of(FILE));
    }

    /**
     * The requests that neither install kind's RBAC allows: each request must be allowed by the base plus the
     * overlay of its own kind (a Milvus patch by the operator overlay, a Deployment patch by the Helm one).
     */
    static List<String> deniedByEveryOverlay(Collection<FakeKubernetesApi.Request> requests) throws IOException {
        List<String> helm = load("helm").denied(requests);
        return load("operator").denied(requests).stream().filter(helm::contains).toList();
    }

    /** The base plus {@code deploy/overlays/<overlay>/rbac.yaml}. */
    static RbacRules load(String overlay) throws IOException {
        return load(List.of(FILE, overlay(overlay)));
    }

    static RbacRules load(List<Path> files) throws IOException {
        List<Object> documents = new ArrayList<>();
        for (Path f : files) {
            documents.addAll(Yaml.loadAll(new File(f.toString())));
        }
        String saNamespace = null;
        List<V1ClusterRole> clusterRoles = new ArrayList<>();
        List<V1Role> roles = new ArrayList<>();
        List<V1ClusterRoleBinding> clusterBindings = new ArrayList<>();
        List<V1RoleBinding> bindings = new ArrayList<>();
        for (Object document : documents) {
            if (document instanceof V1ServiceAccount sa && SERVICE_ACCOUNT.equals(sa.getMetadata().getName())) {
                saNamespace = sa.getMetadata().getNamespace();
            } else if (document instanceof V1ClusterRole r) {
                clusterRoles.add(r);
            } else if (document instanceof V1Role r) {
                roles.add(r);
            } else if (document instanceof V1ClusterRoleBinding b) {
                clusterBindings.add(b);
            } else if (document instanceof V1RoleBinding b) {
                bindings.add(b);
            } else {
                throw new IllegalStateException(FILE + " holds an unexpected document: " + document);
            }
        }
        if (saNamespace == null) {
            throw new IllegalStateException(FILE + " has no ServiceAccount " + SERVICE_ACCOUNT);
        }
        String ns = saNamespace;
        List<Rule> bound = new ArrayList<>();
        for (V1ClusterRoleBinding binding : clusterBindings) {
            requireBindsServiceAccount(binding.getSubjects(), ns, binding.getMetadata().getName());
            V1ClusterRole role = clusterRoles.stream()
                    .filter(r -> r.getMetadata().getName().equals(binding.getRoleRef().getName())
                            && binding.getRoleRef().getKind().equals("ClusterRole"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("ClusterRoleBinding "
                            + binding.getMetadata().getName() + " refers to a ClusterRole not in " + FILE));
            role.getRules().forEach(rule -> bound.add(new Rule(role.getMetadata().getName(), null, rule)));
        }
        for (V1RoleBinding binding : bindings) {
            requireBindsServiceAccount(binding.getSubjects(), ns, binding.getMetadata().getName());
            V1Role role = roles.stream()
                    .filter(r -> r.getMetadata().getName().equals(binding.getRoleRef().getName())
                            && binding.getRoleRef().getKind().equals("Role")
                            && Objects.equals(r.getMetadata().getNamespace(), binding.getMetadata().getNamespace()))
                    .findFirst().orElseThrow(() -> new IllegalStateException("RoleBinding "
                            + binding.getMetadata().getName() + " refers to a Role not in " + FILE));
            role.getRules().forEach(rule -> bound.add(new Rule(role.getMetadata().getName(),
                    role.getMetadata().getNamespace(), rule)));
        }
        return new RbacRules(bound, ns);
    }

    private static void requireBindsServiceAccount(List<RbacV1Subject> subjects, String namespace, String binding) {
        boolean binds = subjects != null && subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
                && SERVICE_ACCOUNT.equals(s.getName()) && namespace.equals(s.getNamespace()));
        if (!binds) {
            throw new IllegalStateException("binding " + binding + " does not bind ServiceAccount " + namespace + "/"
                    + SERVICE_ACCOUNT);
        }
    }

    List<Rule> rules() {
        return rules;
    }

    /** The namespace the ServiceAccount (and the leader-election Role) live in. */
    String serviceAccountNamespace() {
        return serviceAccountNamespace;
    }

    boolean allows(Access access) {
        return rules.stream().anyMatch(r -> r.allows(access));
    }

    /** Requests the rules do not allow, as "access (request)" lines. */
    List<String> denied(Collection<FakeKubernetesApi.Request> requests) {
        List<String> denied = new ArrayList<>();
        for (FakeKubernetesApi.Request request : requests) {
            Access access = access(request);
            if (!allows(access)) {
                denied.add(access + " (" + request + ")");
            }
        }
        return denied;
    }

    /** Every (rule, group, resource, verb, resourceName) the rules grant that no request used. */
    List<String> unused(Collection<FakeKubernetesApi.Request> requests) {
        List<Access> used = requests.stream().map(RbacRules::access).toList();
        List<String> unused = new ArrayList<>();
        for (Rule rule : rules) {
            V1PolicyRule r = rule.rule();
            List<String> names = r.getResourceNames() == null || r.getResourceNames().isEmpty()
                    ? java.util.Collections.singletonList(null) : r.getResourceNames();
            for (String group : r.getApiGroups()) {
                for (String resource : r.getResources()) {
                    for (String verb : r.getVerbs()) {
                        for (String name : names) {
                            boolean usedOnce = used.stream().anyMatch(a -> a.group().equals(group)
                                    && a.resource().equals(resource) && a.verb().equals(verb)
                                    && (rule.namespace() == null || rule.namespace().equals(a.namespace()))
                                    && (name == null || name.equals(a.name())));
                            if (!usedOnce) {
                                unused.add(rule.role() + ": " + verb + " " + resource
                                        + (group.isEmpty() ? "" : "." + group) + (name == null ? "" : " name=" + name));
                            }
                        }
                    }
                }
            }
        }
        return unused;
    }

    /** Maps method and path as the API server's RBAC authorizer does. */
    /**
     * Whether Kubernetes grants {@code request} to every authenticated user, so no Role of ours needs to: creating a
     * SelfSubjectReview (who am I, which {@code pause} and {@code scale} ask to name the person in paused-by), granted
     * by the bootstrap ClusterRole system:basic-user bound to system:authenticated (kubernetes/kubernetes
     * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, basicUserRules; kubernetes/kubernetes#116274).
     */
    static boolean grantedToEveryUser(FakeKubernetesApi.Request request) {
        return request.method().equals("POST") && request.path().equals("/apis/authentication.k8s.io/v1/selfsubjectreviews");
    }

    static Access access(FakeKubernetesApi.Request request) {
        List<String> parts = java.util.Arrays.stream(request.path().split("/")).filter(s -> !s.isEmpty()).toList();
        int at;
        String group;
        if (parts.get(0).equals("api")) {
            group = "";
            at = 2;
        } else if (parts.get(0).equals("apis")) {
            group = parts.get(1);
            at = 3;
        } else {
            throw new IllegalArgumentException("not a resource request: " + request);
        }
        if (!parts.get(at).equals("namespaces") || parts.size() < at + 3) {
            throw new IllegalArgumentException("not a namespaced resource request: " + request);
        }
        String namespace = parts.get(at + 1);
        String resource = parts.get(at + 2);
        String name = parts.size() > at + 3 ? parts.get(at + 3) : null;
        if (parts.size() > at + 4) {
            resource = resource + "/" + parts.get(at + 4);
        }
        boolean watch = request.queryParameter("watch").map("true"::equals).orElse(false);
        String verb = switch (request.method()) {
            case "GET" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> throw new IllegalArgumentException("unexpected method in " + request);
        };
        // A create names no object: RBAC cannot match resourceNames against it.
        return new Access(verb, group, resource, namespace, verb.equals("create") ? null : name);
    }
}
