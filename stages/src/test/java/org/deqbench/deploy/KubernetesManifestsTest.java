package org.deqbench.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.deqbench.stages.gpu.ComputeCapability;
import org.deqbench.stages.gpu.Nd4jCudaKernels;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under k8s/ parses into typed fabric8 objects with no field the Kubernetes API
 * does not know (a misspelt or misplaced key would be silently pruned or rejected by the API
 * server), and the overlays carry what running the pipeline needs: GPU requests on GPUs the CUDA
 * backend has kernels for, restricted security contexts, probes, resolvable volume, Secret and
 * ConfigMap references, network policies.
 * Overlays are rendered by {@code kubectl kustomize} when kubectl is installed, else assembled per
 * file (base + overlay resources, Secrets from the base's secretGenerator).
 */
class KubernetesManifestsTest {
    private static final Path ROOT = RepositoryLayout.root();
    private static final Path K8S = ROOT.resolve("k8s");
    private static final List<String> OVERLAYS = List.of("cpu", "gpu");
    private static final String MLFLOW_CLIENT_LABEL = "deqbench.org/mlflow-client";

    /** Unknown properties fail where fabric8 has no catch-all; the rest are found by {@link #unknownFields}. */
    private static final KubernetesSerialization KUBE = new KubernetesSerialization(
            JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build(), true);
    private static final ObjectMapper YAML = new YAMLMapper();

    // ---------------------------------------------------------------- loading

    /** The secret env files the base's secretGenerator reads, with test values (never committed). */
    static final Map<String, String> TEST_SECRET_FILES = Map.of(
            "postgres.env", "POSTGRES_PASSWORD=test0password0for0manifest0tests\n",
            "mlflow-credentials.env", "MLFLOW_TRACKING_USERNAME=deqbench\nMLFLOW_TRACKING_PASSWORD=test-only\n");

    private static Path renderable;

    /** k8s/ copied to a temporary folder, with the secret env files of {@link #TEST_SECRET_FILES}. */
    private static synchronized Path k8sWithTestSecrets() throws IOException {
        if (renderable == null) {
            Path copy = copyK8s();
            for (Map.Entry<String, String> f : TEST_SECRET_FILES.entrySet()) {
                Files.writeString(copy.resolve("base/secrets").resolve(f.getKey()), f.getValue());
            }
            renderable = copy;
        }
        return renderable;
    }

    /** k8s/ copied to a fresh temporary folder, without any secret env file a developer may have. */
    private static Path copyK8s() throws IOException {
        Path copy = Files.createTempDirectory("deqbench-k8s");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> walk = Files.walk(copy)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary folder
            }
        }));
        try (Stream<Path> walk = Files.walk(K8S)) {
            for (Path p : walk.toList()) {
                Path t = copy.resolve(K8S.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!(p.getParent().getFileName().toString().equals("secrets") && p.toString().endsWith(".env"))) {
                    Files.copy(p, t);
                }
            }
        }
        return copy;
    }

    private static List<HasMetadata> overlay(String name) throws IOException, InterruptedException {
        String kubectl = kubectl();
        Path k8s = k8sWithTestSecrets();
        if (kubectl != null) {
            Process p = new ProcessBuilder(kubectl, "kustomize", k8s.resolve("overlays").resolve(name).toString())
                    .redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kubectl kustomize timed out");
            assertEquals(0, p.exitValue(), "kubectl kustomize k8s/overlays/" + name + " failed:\n" + err);
            return parse(out, "kubectl kustomize k8s/overlays/" + name);
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (Path dir : List.of(k8s.resolve("base"), k8s.resolve("overlays").resolve(name))) {
            JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
            for (JsonNode r : kustomization.path("resources")) {
                Path file = dir.resolve(r.asText()).normalize();
                if (Files.isRegularFile(file)) {
                    objects.addAll(parse(Files.readString(file), k8s.relativize(file).toString()));
                }
            }
            for (JsonNode gen : kustomization.path("secretGenerator")) {
                Map<String, String> data = new LinkedHashMap<>();
                List<String> pairs = new ArrayList<>();
                gen.path("literals").forEach(lit -> pairs.add(lit.asText()));
                for (JsonNode env : gen.path("envs")) {
                    Files.readAllLines(dir.resolve(env.asText())).stream()
                            .filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(pairs::add);
                }
                for (String pair : pairs) {
                    String[] kv = pair.split("=", 2);
                    data.put(kv[0], Base64.getEncoder().encodeToString(kv[1].getBytes(StandardCharsets.UTF_8)));
                }
                Secret s = new Secret();
                s.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
                s.getMetadata().setName(gen.path("name").asText());
                s.setData(data);
                objects.add(s);
            }
            String namespace = kustomization.path("namespace").asText(null);
            for (HasMetadata x : objects) {
                if (namespace != null && x.getMetadata().getNamespace() == null && !x.getKind().equals("Namespace")) {
                    x.getMetadata().setNamespace(namespace);
                }
            }
        }
        return objects;
    }

    /** kubectl on PATH or in /usr/bin; {@code -Ddeqbench.kubectl=none} forces the per-file assembly. */
    private static String kubectl() {
        if ("none".equals(System.getProperty("deqbench.kubectl"))) {
            return null;
        }
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin")
                .split(File.pathSeparator)) {
            Path k = Path.of(dir, "kubectl");
            if (Files.isExecutable(k)) {
                return k.toString();
            }
        }
        return null;
    }

    private static List<HasMetadata> parse(String yaml, String source) throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                String what = source + ": " + doc.path("kind").asText("?") + " "
                        + doc.path("metadata").path("name").asText(doc.path("metadata").path("generateName").asText("?"));
                Object obj;
                try {
                    obj = KUBE.convertValue(doc, io.fabric8.kubernetes.api.model.KubernetesResource.class);
                } catch (IllegalArgumentException e) {
                    problems.add(what + ": " + e.getMessage());
                    continue;
                }
                if (obj instanceof GenericKubernetesResource || !(obj instanceof HasMetadata)) {
                    problems.add(what + ": unknown kind/apiVersion " + doc.path("apiVersion").asText());
                    continue;
                }
                List<String> unknown = new ArrayList<>();
                unknownFields(obj, "", unknown);
                unknown.forEach(u -> problems.add(what + ": unknown field " + u));
                out.add((HasMetadata) obj);
            }
        }
        if (!problems.isEmpty()) {
            fail("manifests with problems:\n  " + String.join("\n  ", problems));
        }
        return out;
    }

    /** Walks the typed object tree; every field fabric8 could not map lands in additionalProperties. */
    private static void unknownFields(Object o, String path, List<String> out) {
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.")) {
            if (o instanceof Collection<?> c) {
                int i = 0;
                for (Object x : c) {
                    unknownFields(x, path + "[" + i++ + "]", out);
                }
            } else if (o instanceof Map<?, ?> m) {
                m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            }
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())
                    || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add((path.isEmpty() ? "" : path + ".") + extra.keySet());
                }
            } else {
                String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                unknownFields(v, path.isEmpty() ? field : path + "." + field, out);
            }
        }
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return all(objects, type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in "
                        + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    private static Map<String, PodTemplateSpec> podTemplates(List<HasMetadata> objects) {
        Map<String, PodTemplateSpec> t = new LinkedHashMap<>();
        all(objects, Deployment.class).forEach(d -> t.put("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
        all(objects, StatefulSet.class).forEach(s -> t.put("StatefulSet/" + s.getMetadata().getName(), s.getSpec().getTemplate()));
        all(objects, Job.class).forEach(j -> t.put("Job/" + Objects.requireNonNullElse(j.getMetadata().getName(),
                j.getMetadata().getGenerateName()), j.getSpec().getTemplate()));
        return t;
    }

    private static List<HasMetadata> jobTemplates() throws IOException {
        List<HasMetadata> jobs = new ArrayList<>();
        try (Stream<Path> s = Files.list(K8S.resolve("jobs"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                jobs.addAll(parse(Files.readString(f), K8S.relativize(f).toString()));
            }
        }
        return jobs;
    }

    private static List<HasMetadata> everything(String overlay) throws Exception {
        List<HasMetadata> objects = new ArrayList<>(overlay(overlay));
        objects.addAll(jobTemplates());
        return objects;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void everyOverlayAndJobTemplateParsesIntoKnownKindsWithoutUnknownFields() throws Exception {
        for (String o : OVERLAYS) {
            List<HasMetadata> objects = overlay(o);
            Set<String> kinds = new TreeSet<>();
            objects.forEach(x -> kinds.add(x.getKind()));
            Set<String> expected = new TreeSet<>(List.of("ConfigMap", "Deployment", "LimitRange", "Namespace", "NetworkPolicy",
                    "PersistentVolumeClaim", "ResourceQuota", "Role", "RoleBinding", "Secret", "Service",
                    "ServiceAccount", "StatefulSet"));
            if (o.equals("gpu")) {
                expected.add("Job"); // the suspended GPU check
            }
            assertEquals(expected, kinds, o);
            for (HasMetadata x : objects) {
                if (!x.getKind().equals("Namespace")) {
                    assertEquals("deqbench", x.getMetadata().getNamespace(), o + ": " + x.getKind() + "/" + x.getMetadata().getName());
                }
            }
        }
        assertEquals(2, jobTemplates().size());
    }

    @Test
    void theUnknownFieldCheckCatchesAMisplacedKey() throws IOException {
        String bad = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n"
                + "    - name: c\n      image: i\n      resource: {limits: {cpu: '1'}}\n";
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> parse(bad, "bad.yaml"));
        assertTrue(e.getMessage().contains("spec.containers[0].[resource]"), e.getMessage());
        AssertionError kind = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> parse("apiVersion: v1\nkind: Deploymnet\nmetadata: {name: x}\n", "bad.yaml"));
        assertTrue(kind.getMessage().contains("unknown kind"), kind.getMessage());
    }

    @Test
    void everyPodRunsNonRootReadOnlyWithoutPrivilegesAndWithRequestsAndLimits() throws Exception {
        for (String o : OVERLAYS) {
            for (Map.Entry<String, PodTemplateSpec> e : podTemplates(everything(o)).entrySet()) {
                String where = o + " " + e.getKey();
                PodSpec pod = e.getValue().getSpec();
                assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where);
                assertTrue(pod.getSecurityContext().getRunAsUser() != null && pod.getSecurityContext().getRunAsUser() > 0, where);
                assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), where);
                assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where);
                for (Container c : pod.getContainers()) {
                    String cw = where + " container " + c.getName();
                    SecurityContext sc = c.getSecurityContext();
                    assertNotNull(sc, cw);
                    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), cw);
                    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), cw);
                    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), cw);
                    for (String r : List.of("cpu", "memory")) {
                        assertNotNull(c.getResources().getRequests().get(r), cw + " requests." + r);
                        assertNotNull(c.getResources().getLimits().get(r), cw + " limits." + r);
                        assertTrue(Quantity.getAmountInBytes(c.getResources().getRequests().get(r)).compareTo(
                                Quantity.getAmountInBytes(c.getResources().getLimits().get(r))) <= 0, cw + " request > limit " + r);
                    }
                }
            }
        }
    }

    @Test
    void writableMountsAreOnlyEmptyDirsAndClaimsThatExist() throws Exception {
        for (String o : OVERLAYS) {
            List<HasMetadata> objects = everything(o);
            Set<String> claims = new TreeSet<>();
            all(objects, PersistentVolumeClaim.class).forEach(p -> claims.add(p.getMetadata().getName()));
            for (HasMetadata x : objects) {
                List<String> templates = x instanceof StatefulSet s
                        ? s.getSpec().getVolumeClaimTemplates().stream().map(t -> t.getMetadata().getName()).toList() : List.of();
                PodTemplateSpec t = podTemplates(List.of(x)).values().stream().findFirst().orElse(null);
                if (t == null) {
                    continue;
                }
                Map<String, Volume> volumes = new LinkedHashMap<>();
                t.getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));
                for (Volume v : volumes.values()) {
                    String where = o + " " + x.getKind() + " volume " + v.getName();
                    assertTrue(v.getEmptyDir() != null || v.getPersistentVolumeClaim() != null, where + ": emptyDir or PVC only");
                    if (v.getEmptyDir() != null) {
                        assertNotNull(v.getEmptyDir().getSizeLimit(), where + ": emptyDir without sizeLimit");
                    } else {
                        assertTrue(claims.contains(v.getPersistentVolumeClaim().getClaimName()),
                                where + ": claim " + v.getPersistentVolumeClaim().getClaimName() + " not in " + claims);
                    }
                }
                for (Container c : t.getSpec().getContainers()) {
                    for (VolumeMount m : c.getVolumeMounts()) {
                        assertTrue(volumes.containsKey(m.getName()) || templates.contains(m.getName()),
                                o + " " + x.getKind() + ": mount " + m.getName() + " has no volume");
                    }
                }
            }
            assertEquals(List.of("ReadWriteMany"), named(objects, PersistentVolumeClaim.class, "deqbench-runs").getSpec().getAccessModes());
        }
    }

    @Test
    void mlflowAndPostgresHaveReadinessAndLivenessProbesOnTheirPorts() throws Exception {
        List<HasMetadata> objects = overlay("gpu");
        Container mlflow = named(objects, Deployment.class, "mlflow").getSpec().getTemplate().getSpec().getContainers().get(0);
        for (Probe p : List.of(mlflow.getReadinessProbe(), mlflow.getLivenessProbe(), mlflow.getStartupProbe())) {
            assertNotNull(p, "mlflow probe");
            assertEquals("/health", p.getHttpGet().getPath());
            assertEquals("http", p.getHttpGet().getPort().getStrVal());
        }
        assertTrue(mlflow.getPorts().stream().anyMatch(port -> "http".equals(port.getName()) && port.getContainerPort() == 5000));
        Container pg = named(objects, StatefulSet.class, "deqbench-postgres").getSpec().getTemplate().getSpec().getContainers().get(0);
        for (Probe p : List.of(pg.getReadinessProbe(), pg.getLivenessProbe())) {
            assertNotNull(p, "postgres probe");
            assertEquals("pg_isready", p.getExec().getCommand().get(0));
        }
    }

    @Test
    void mlflowStoresRunsInPostgresAndServesArtifactsFromItsVolume() throws Exception {
        List<HasMetadata> objects = overlay("cpu");
        Deployment d = named(objects, Deployment.class, "mlflow");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        List<String> args = c.getArgs();
        assertTrue(args.contains("--serve-artifacts"), args.toString());
        assertTrue(args.contains("--artifacts-destination=/mlartifacts"), args.toString());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/mlartifacts")
                && d.getSpec().getTemplate().getSpec().getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName())
                && v.getPersistentVolumeClaim() != null)));
        String backend = args.stream().filter(a -> a.startsWith("--backend-store-uri=")).findFirst().orElseThrow();
        assertTrue(backend.startsWith("--backend-store-uri=postgresql://mlflow:$(POSTGRES_PASSWORD)@deqbench-postgres:5432/"), backend);
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("POSTGRES_PASSWORD") && e.getValueFrom().getSecretKeyRef() != null),
                "the $(POSTGRES_PASSWORD) in the URI must be an env var from the Secret");
        // Stage pods find the server through the ConfigMap they read.
        assertEquals("http://mlflow:5000", named(objects, ConfigMap.class, "deqbench-pipeline-env").getData().get("MLFLOW_TRACKING_URI"));
        assertEquals(5000, named(objects, Service.class, "mlflow").getSpec().getPorts().get(0).getPort());
    }

    @Test
    void everySecretAndConfigMapReferenceResolvesUnlessOptional() throws Exception {
        for (String o : OVERLAYS) {
            List<HasMetadata> objects = everything(o);
            Map<String, Set<String>> secrets = new LinkedHashMap<>();
            for (Secret s : all(objects, Secret.class)) {
                Set<String> keys = new TreeSet<>();
                if (s.getData() != null) {
                    keys.addAll(s.getData().keySet());
                }
                if (s.getStringData() != null) {
                    keys.addAll(s.getStringData().keySet());
                }
                secrets.put(s.getMetadata().getName(), keys);
            }
            Set<String> configMaps = new TreeSet<>();
            all(objects, ConfigMap.class).forEach(c -> configMaps.add(c.getMetadata().getName()));
            int secretKeyRefs = 0;
            for (Map.Entry<String, PodTemplateSpec> t : podTemplates(objects).entrySet()) {
                for (Container c : t.getValue().getSpec().getContainers()) {
                    String where = o + " " + t.getKey() + " container " + c.getName();
                    for (EnvVar e : c.getEnv()) {
                        if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                            var ref = e.getValueFrom().getSecretKeyRef();
                            if (!Boolean.TRUE.equals(ref.getOptional())) {
                                secretKeyRefs++;
                                assertTrue(secrets.getOrDefault(ref.getName(), Set.of()).contains(ref.getKey()),
                                        where + ": env " + e.getName() + " reads key " + ref.getKey() + " of Secret "
                                                + ref.getName() + "; Secrets: " + secrets);
                            }
                        }
                    }
                    for (EnvFromSource e : c.getEnvFrom()) {
                        if (e.getSecretRef() != null && !Boolean.TRUE.equals(e.getSecretRef().getOptional())) {
                            assertTrue(secrets.containsKey(e.getSecretRef().getName()), where + ": Secret " + e.getSecretRef().getName());
                        }
                        if (e.getConfigMapRef() != null && !Boolean.TRUE.equals(e.getConfigMapRef().getOptional())) {
                            assertTrue(configMaps.contains(e.getConfigMapRef().getName()), where + ": ConfigMap " + e.getConfigMapRef().getName());
                        }
                    }
                }
            }
            assertEquals(2, secretKeyRefs, o + ": the postgres password is read by PostgreSQL and by MLflow");
        }
    }

    @Test
    void gpuJobRequestsOneGpuOnTaintedGpuNodesAndOnlyTheGpuOverlayGrantsGpus() throws Exception {
        List<HasMetadata> jobs = jobTemplates();
        for (Job j : all(jobs, Job.class)) {
            PodSpec pod = j.getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            boolean gpu = j.getMetadata().getGenerateName().contains("gpu");
            String where = "job " + j.getMetadata().getGenerateName();
            assertEquals(List.of("deqbench"), c.getCommand(), where);
            assertEquals("Never", pod.getRestartPolicy(), where);
            assertEquals("deqbench-pipeline", pod.getServiceAccountName(), where);
            if (gpu) {
                assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"), where);
                assertEquals(new Quantity("1"), c.getResources().getRequests().get("nvidia.com/gpu"), where);
                assertTrue(c.getImage().endsWith("-cuda"), where + " runs the CUDA image");
                assertEquals(Map.of("nvidia.com/gpu.present", "true"), pod.getNodeSelector(), where);
                assertTrue(pod.getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())
                        && "NoSchedule".equals(t.getEffect())), where);
            } else {
                assertFalse(c.getResources().getLimits().containsKey("nvidia.com/gpu"), where);
                assertFalse(c.getImage().endsWith("-cuda"), where);
            }
        }
        Quantity gpuQuota = named(overlay("gpu"), ResourceQuota.class, "deqbench-compute").getSpec().getHard().get("requests.nvidia.com/gpu");
        assertTrue(Quantity.getAmountInBytes(gpuQuota).intValue() >= 1, "gpu overlay grants GPUs: " + gpuQuota);
        assertEquals(new Quantity("0"), named(overlay("cpu"), ResourceQuota.class, "deqbench-compute").getSpec().getHard().get("requests.nvidia.com/gpu"));
    }

    private static boolean requestsGpu(PodTemplateSpec t) {
        return t.getSpec().getContainers().stream().anyMatch(c -> c.getResources() != null
                && c.getResources().getLimits() != null && c.getResources().getLimits().containsKey("nvidia.com/gpu"));
    }

    /**
     * Whether the scheduler may place the pod on a node with these labels: its nodeSelector, and its
     * required node affinity (terms ORed, the expressions of a term ANDed; Gt/Lt compare integers).
     */
    private static boolean admits(PodSpec pod, Map<String, String> labels) {
        if (pod.getNodeSelector() != null && !labels.entrySet().containsAll(pod.getNodeSelector().entrySet())) {
            return false;
        }
        if (pod.getAffinity() == null || pod.getAffinity().getNodeAffinity() == null
                || pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return true;
        }
        return pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
                .stream().anyMatch(term -> term.getMatchExpressions().stream().allMatch(r -> matches(r, labels)));
    }

    private static boolean matches(NodeSelectorRequirement r, Map<String, String> labels) {
        String v = labels.get(r.getKey());
        return switch (r.getOperator()) {
            case "In" -> v != null && r.getValues().contains(v);
            case "NotIn" -> v == null || !r.getValues().contains(v);
            case "Exists" -> v != null;
            case "DoesNotExist" -> v == null;
            case "Gt", "Lt" -> {
                if (v == null || r.getValues().size() != 1) {
                    yield false;
                }
                try {
                    int have = Integer.parseInt(v);
                    int bound = Integer.parseInt(r.getValues().get(0));
                    yield r.getOperator().equals("Gt") ? have > bound : have < bound;
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
            default -> throw new AssertionError("unknown node selector operator " + r.getOperator());
        };
    }

    /**
     * Every pod template that requests a GPU, in {@code kubectl kustomize k8s/overlays/gpu} and in the
     * job templates, may land on a GPU node exactly when ND4J 1.0.0-M2.1's CUDA backend has a cubin
     * for its compute capability ({@link Nd4jCudaKernels}, the rule the image's preflight enforces),
     * judged on the GPU feature discovery labels for every capability 1.0 to 12.9.
     */
    @Test
    void everyGpuWorkloadLandsOnlyOnGpusTheCudaBackendHasKernelsFor() throws Exception {
        Map<String, PodSpec> gpu = new LinkedHashMap<>();
        podTemplates(overlay("gpu")).forEach((k, t) -> {
            if (requestsGpu(t)) {
                gpu.put("kubectl kustomize k8s/overlays/gpu: " + k, t.getSpec());
            }
        });
        assertEquals(1, gpu.size(), "GPU workloads of the gpu overlay: " + gpu.keySet());
        podTemplates(jobTemplates()).forEach((k, t) -> {
            if (requestsGpu(t)) {
                gpu.put("k8s/jobs: " + k, t.getSpec());
            }
        });
        assertEquals(2, gpu.size(), "GPU workloads: " + gpu.keySet());
        int admitted = 0;
        for (Map.Entry<String, PodSpec> e : gpu.entrySet()) {
            for (int major = 1; major <= 12; major++) {
                for (int minor = 0; minor <= 9; minor++) {
                    ComputeCapability cc = new ComputeCapability(major, minor);
                    Map<String, String> node = Map.of("nvidia.com/gpu.present", "true",
                            "nvidia.com/gpu.compute.major", String.valueOf(major),
                            "nvidia.com/gpu.compute.minor", String.valueOf(minor));
                    boolean runs = Nd4jCudaKernels.cubinFor(cc).isPresent();
                    assertEquals(runs, admits(e.getValue(), node), e.getKey() + " on a GPU of compute capability " + cc);
                    admitted += runs ? 1 : 0;
                }
            }
            assertFalse(admits(e.getValue(), Map.of("nvidia.com/gpu.present", "true")),
                    e.getKey() + " on a GPU node without the compute capability labels");
        }
        assertEquals(2 * (3 + 4 * 10), admitted, "3.7-3.9 and 5.0-8.9, in both workloads");
        assertEquals(Boolean.TRUE, named(overlay("gpu"), Job.class, "deqbench-gpu-check").getSpec().getSuspend(),
                "applying the overlay starts no GPU pod");
        assertTrue(podTemplates(overlay("cpu")).values().stream().noneMatch(KubernetesManifestsTest::requestsGpu),
                "the cpu overlay requests no GPU");
    }

    @Test
    void onlyPipelinePodsReachMlflowAndOnlyMlflowReachesPostgres() throws Exception {
        List<HasMetadata> objects = everything("gpu");
        NetworkPolicy deny = named(objects, NetworkPolicy.class, "default-deny-ingress");
        assertTrue(deny.getSpec().getPodSelector().getMatchLabels() == null || deny.getSpec().getPodSelector().getMatchLabels().isEmpty());
        assertTrue(deny.getSpec().getIngress() == null || deny.getSpec().getIngress().isEmpty());

        Map<String, String> mlflowPod = named(objects, Deployment.class, "mlflow").getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> postgresPod = named(objects, StatefulSet.class, "deqbench-postgres").getSpec().getTemplate().getMetadata().getLabels();
        NetworkPolicy toMlflow = named(objects, NetworkPolicy.class, "mlflow-from-pipeline-pods");
        assertTrue(mlflowPod.entrySet().containsAll(toMlflow.getSpec().getPodSelector().getMatchLabels().entrySet()));
        assertFalse(postgresPod.entrySet().containsAll(toMlflow.getSpec().getPodSelector().getMatchLabels().entrySet()));
        List<NetworkPolicyPeer> from = toMlflow.getSpec().getIngress().get(0).getFrom();
        assertEquals(List.of(Map.of(MLFLOW_CLIENT_LABEL, "true")), from.stream().map(p -> p.getPodSelector().getMatchLabels()).toList());
        assertEquals(5000, toMlflow.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal());

        NetworkPolicy toPostgres = named(objects, NetworkPolicy.class, "postgres-from-mlflow");
        assertTrue(postgresPod.entrySet().containsAll(toPostgres.getSpec().getPodSelector().getMatchLabels().entrySet()));
        Map<String, String> allowed = toPostgres.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels();
        assertTrue(mlflowPod.entrySet().containsAll(allowed.entrySet()), "postgres admits the MLflow pods");
        assertFalse(postgresPod.entrySet().containsAll(allowed.entrySet()) , "and not itself/others");
        assertEquals(5432, toPostgres.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal());

        // The pods that must reach MLflow (stages) carry the label; the servers and the GPU check do not.
        for (Job j : all(objects, Job.class)) {
            Map<String, String> labels = j.getSpec().getTemplate().getMetadata().getLabels();
            boolean stage = "stage".equals(labels.get("app.kubernetes.io/component"));
            assertEquals(stage ? "true" : null, labels.get(MLFLOW_CLIENT_LABEL), "Job " + j.getMetadata().getName());
        }
        assertFalse(postgresPod.containsKey(MLFLOW_CLIENT_LABEL));
    }

    @Test
    void noPasswordIsCommittedAndRenderingWithoutTheSecretFilesFailsNamingThem() throws Exception {
        JsonNode kustomization = YAML.readTree(K8S.resolve("base/kustomization.yaml").toFile());
        List<String> envFiles = new ArrayList<>();
        for (JsonNode gen : kustomization.path("secretGenerator")) {
            assertTrue(gen.path("literals").isMissingNode(), "a literal secret value is committed: " + gen);
            gen.path("envs").forEach(e -> envFiles.add(e.asText()));
        }
        assertEquals(List.of("secrets/postgres.env", "secrets/mlflow-credentials.env"), envFiles);
        String ignore = Files.readString(K8S.resolve("base/secrets/.gitignore"));
        assertTrue(ignore.lines().anyMatch(l -> l.strip().equals("*.env")), "the env files are ignored by git");
        try (Stream<Path> walk = Files.walk(K8S)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f);
                assertFalse(text.contains("replace-me"), f + " holds a placeholder password");
            }
        }
        String kubectl = kubectl();
        if (kubectl != null) {
            Path bare = copyK8s();
            Process p = new ProcessBuilder(kubectl, "kustomize", bare.resolve("overlays/cpu").toString()).start();
            p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertTrue(p.exitValue() != 0, "rendered without the secret files");
            assertTrue(err.contains("secrets/postgres.env"), "the error names the missing file: " + err);
        }
    }

    @Test
    void mlflowRequiresAuthenticationWithTheCredentialsTheStagePodsRead() throws Exception {
        for (String o : OVERLAYS) {
            List<HasMetadata> objects = everything(o);
            PodSpec pod = named(objects, Deployment.class, "mlflow").getSpec().getTemplate().getSpec();
            Container server = pod.getContainers().get(0);
            assertTrue(server.getArgs().contains("--app-name=basic-auth"), server.getArgs().toString());
            String configPath = server.getEnv().stream().filter(e -> e.getName().equals("MLFLOW_AUTH_CONFIG_PATH"))
                    .findFirst().orElseThrow().getValue();
            Container init = pod.getInitContainers().stream().filter(c -> c.getName().equals("auth-config")).findFirst()
                    .orElseThrow();
            String script = String.join("\n", init.getArgs());
            assertTrue(script.contains(configPath) && script.contains("admin_password = ${MLFLOW_TRACKING_PASSWORD}"), script);
            assertTrue(init.getEnvFrom().stream().anyMatch(e -> e.getSecretRef() != null
                    && e.getSecretRef().getName().equals("deqbench-mlflow-credentials")));
            Secret creds = named(objects, Secret.class, "deqbench-mlflow-credentials");
            assertTrue(creds.getData().keySet().containsAll(Set.of("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")));
            // the auth config is in memory, the user database on its own claim (not under the served artifacts)
            assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("auth-config") && v.getEmptyDir() != null
                    && "Memory".equals(v.getEmptyDir().getMedium())));
            assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null
                    && v.getPersistentVolumeClaim().getClaimName().equals("mlflow-auth")));
            for (Job j : all(objects, Job.class)) {
                if ("gpu-check".equals(j.getMetadata().getLabels().get("app.kubernetes.io/component"))) {
                    continue; // the GPU check Job talks to no MLflow server
                }
                assertTrue(j.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().stream()
                        .anyMatch(e -> e.getSecretRef() != null && e.getSecretRef().getName().equals("deqbench-mlflow-credentials")),
                        "job " + j.getMetadata().getGenerateName() + " reads the MLflow credentials");
            }
            ConfigMap env = named(objects, ConfigMap.class, "deqbench-pipeline-env");
            assertTrue(env.getData().get("MLFLOW_TRACKING_URI").startsWith("http://mlflow:"));
            assertEquals("1", env.getData().get("DEQBENCH_MLFLOW_INSECURE"),
                    "credentials over in-cluster http are allowed explicitly");
        }
    }

    @Test
    void egressIsDeniedByDefaultAndOnlyTheListedFlowsAreAllowed() throws Exception {
        List<HasMetadata> objects = overlay("gpu");
        NetworkPolicy deny = named(objects, NetworkPolicy.class, "default-deny-egress");
        assertTrue(deny.getSpec().getPodSelector().getMatchLabels() == null || deny.getSpec().getPodSelector().getMatchLabels().isEmpty());
        assertEquals(List.of("Egress"), deny.getSpec().getPolicyTypes());
        assertTrue(deny.getSpec().getEgress() == null || deny.getSpec().getEgress().isEmpty());
        Map<String, String> flows = new java.util.TreeMap<>();
        for (NetworkPolicy np : all(objects, NetworkPolicy.class)) {
            if (np.getSpec().getEgress() == null) {
                continue;
            }
            for (var rule : np.getSpec().getEgress()) {
                List<String> to = rule.getTo().stream().map(peer -> String.valueOf(peer.getPodSelector() == null ? null
                        : peer.getPodSelector().getMatchLabels())).toList();
                List<String> ports = rule.getPorts().stream().map(pt -> pt.getProtocol() + "/" + pt.getPort().getIntVal()).toList();
                flows.put(np.getMetadata().getName(), np.getSpec().getPodSelector().getMatchLabels() + " -> " + to + " " + ports);
            }
        }
        assertEquals(Map.of(
                "dns-egress", "{} -> [{k8s-app=kube-dns}] [UDP/53, TCP/53]",
                "pipeline-pods-to-mlflow", "{" + MLFLOW_CLIENT_LABEL + "=true} -> [{app.kubernetes.io/name=mlflow}] [TCP/5000]",
                "mlflow-to-postgres", "{app.kubernetes.io/name=mlflow} -> [{app.kubernetes.io/name=postgres}] [TCP/5432]"),
                flows);
    }

    @Test
    void everyImageWithAMutableTagIsPulledAlways() throws Exception {
        for (String o : OVERLAYS) {
            for (Map.Entry<String, PodTemplateSpec> e : podTemplates(everything(o)).entrySet()) {
                PodSpec pod = e.getValue().getSpec();
                List<Container> all = new ArrayList<>(pod.getContainers());
                all.addAll(pod.getInitContainers());
                for (Container c : all) {
                    if (!c.getImage().contains("@sha256:")) {
                        assertEquals("Always", c.getImagePullPolicy(), o + " " + e.getKey() + " " + c.getName() + " " + c.getImage());
                    }
                }
            }
        }
    }

    @Test
    void ciStepsReceiveSecretsThroughTheirEnvironmentOnly() throws IOException {
        JsonNode workflow = YAML.readTree(ROOT.resolve("ci/github-workflow-example.yml").toFile());
        int steps = 0;
        for (JsonNode job : workflow.path("jobs")) {
            for (JsonNode step : job.path("steps")) {
                steps++;
                String run = step.path("run").asText("");
                assertFalse(run.contains("secrets."), "a secret is spliced into the script of step '"
                        + step.path("name").asText() + "': " + run);
            }
        }
        assertTrue(steps > 3, "the workflow's steps were read");
    }

    @Test
    void servicesSelectTheirPodsAndTargetNamedPorts() throws Exception {
        List<HasMetadata> objects = overlay("cpu");
        Map<String, PodTemplateSpec> templates = podTemplates(objects);
        for (Service s : all(objects, Service.class)) {
            List<PodTemplateSpec> selected = templates.values().stream().filter(t -> t.getMetadata().getLabels().entrySet()
                    .containsAll(s.getSpec().getSelector().entrySet())).toList();
            assertEquals(1, selected.size(), "Service " + s.getMetadata().getName() + " selects one workload");
            for (ServicePort p : s.getSpec().getPorts()) {
                String target = p.getTargetPort().getStrVal();
                assertTrue(selected.get(0).getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                        .anyMatch(cp -> Objects.equals(cp.getName(), target)), "Service " + s.getMetadata().getName() + " port " + target);
            }
        }
        assertEquals("deqbench-postgres", named(objects, StatefulSet.class, "deqbench-postgres").getSpec().getServiceName());
    }

    @Test
    void theAirflowWorkerMayCreateWatchAndDeletePodsAndReadTheirLogsHere() throws Exception {
        List<HasMetadata> objects = overlay("gpu");
        Role role = named(objects, Role.class, "deqbench-pod-launcher");
        Map<String, Set<String>> verbs = new LinkedHashMap<>();
        for (PolicyRule r : role.getRules()) {
            for (String res : r.getResources()) {
                verbs.computeIfAbsent(res, k -> new TreeSet<>()).addAll(r.getVerbs());
            }
        }
        assertTrue(verbs.get("pods").containsAll(List.of("create", "get", "list", "watch", "delete", "patch")), verbs.toString());
        assertTrue(verbs.get("pods/log").contains("get"), verbs.toString());
        assertFalse(verbs.containsKey("secrets"), "no access to Secrets");
        assertFalse(verbs.values().stream().anyMatch(v -> v.contains("*")), "no wildcards");
        RoleBinding b = named(objects, RoleBinding.class, "deqbench-pod-launcher");
        assertEquals("deqbench-pod-launcher", b.getRoleRef().getName());
        assertTrue(b.getSubjects().stream().anyMatch(s -> s.getKind().equals("ServiceAccount") && "airflow".equals(s.getNamespace())));
        assertEquals(Boolean.FALSE, named(objects, io.fabric8.kubernetes.api.model.ServiceAccount.class, "deqbench-pipeline")
                .getAutomountServiceAccountToken());
    }
}
