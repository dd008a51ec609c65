package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: every overlay of k8s/ builds with `kubectl kustomize`, and every object it yields is valid against the JSON
 * schema of its kind (npm's kubernetes-models: every core kind, KEDA's ScaledObject, Strimzi's Kafka, KafkaNodePool and
 * KafkaTopic of the prod-kafka overlay); CloudNativePG's Cluster and Database, whose schemas no
 * reachable registry carries, are checked for structure only (end-to-end/node/manifests-check.mjs says which was which).
 */
class KubernetesManifestsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyOverlayBuildsAndEveryObjectIsValidForItsKind(@TempDir Path work) throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        Path k8s = work.resolve("k8s");
        copy(root.resolve("k8s"), k8s);
        // The dev overlay reads the feed consumers' tokens from files `./closedloop token` writes (git-ignored).
        Files.writeString(k8s.resolve("overlays/dev/identity-service-token.jwt"), "placeholder");
        Files.writeString(k8s.resolve("overlays/dev/attribution-service-token.jwt"), "placeholder");
        List<String> files = new ArrayList<>();
        try (Stream<Path> overlays = Files.list(k8s.resolve("overlays"))) {
            for (Path overlay : overlays.sorted().toList()) {
                Path built = work.resolve(overlay.getFileName() + ".yaml");
                run(List.of("kubectl", "kustomize", overlay.toString()), built, 60);
                files.add(built.toString());
            }
        }
        assertTrue(files.size() >= 2, "overlays: " + files);
        JsonNode checked = node(root, files);
        Set<String> kinds = new TreeSet<>();
        for (String file : files) {
            JsonNode result = checked.path("files").path(file);
            assertEquals(0, result.path("errors").size(), file + ": " + result.path("errors"));
            assertTrue(result.path("objects").size() > 0, file + " holds objects");
            result.path("objects").forEach(o -> kinds.add(o.path("kind").asText() + ":" + o.path("checked").asText()));
        }
        for (String kind : List.of("Deployment:schema", "Service:schema", "ConfigMap:schema", "HorizontalPodAutoscaler:schema",
                "PodDisruptionBudget:schema", "NetworkPolicy:schema", "StatefulSet:schema", "ScaledObject:schema", "Cluster:structure", "Kafka:schema", "KafkaNodePool:schema",
                "KafkaTopic:schema")) {
            assertTrue(kinds.contains(kind), kind + " among " + kinds);
        }
    }

    /**
     * k8s/base holds what quarkus-kubernetes generated from each service's settings and src/main/kubernetes fragment, as
     * the build just did (target/kubernetes/kubernetes.yml), not a hand-written copy drifting from it.
     */
    @Test
    void theBaseIsWhatQuarkusKubernetesGenerates() throws IOException {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        for (String service : List.of("ingestion-service", "identity-service", "attribution-service", "reporting-gateway")) {
            Path generated = root.resolve(service).resolve("target/kubernetes/kubernetes.yml");
            assertTrue(Files.exists(generated), generated + " is missing: build the services first");
            // As YAML documents: the generator writes a map's keys in no fixed order (labels moved between two builds).
            assertEquals(documents(generated), documents(root.resolve("k8s/base").resolve(service + ".yaml")),
                    "k8s/base/" + service + ".yaml differs from what quarkus-kubernetes generates: cp " + generated + " k8s/base/"
                            + service + ".yaml");
        }
    }

    private static List<JsonNode> documents(Path yaml) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        try (var parser = mapper.getFactory().createParser(yaml.toFile())) {
            return mapper.readValues(parser, JsonNode.class).readAll().stream().filter(d -> !d.isNull() && !d.isMissingNode()).toList();
        }
    }

    @Test
    void anObjectWrongForItsKindIsRefused(@TempDir Path work) throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        Path bad = work.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  replicas: two
                  selector: {matchLabels: {app: a}}
                  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}
                ---
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: no-spec}
                ---
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: lag}
                spec:
                  scaleTargetRef: {name: a}
                  maxReplicaCount: ten
                  triggers: [{type: cpu, metadata: {value: "70"}}]
                ---
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: closedloop.ingestion.touches}
                spec: {partitions: four, replicas: 3}
                """);
        JsonNode errors = node(root, List.of(bad.toString())).path("files").path(bad.toString()).path("errors");
        assertEquals(4, errors.size(), errors.toString());
        assertTrue(errors.get(0).asText().contains("replicas must be integer"), errors.toString());
        assertTrue(errors.get(1).asText().contains("spec is not an object"), errors.toString());
        assertTrue(errors.get(2).asText().contains("maxReplicaCount must be integer"), errors.toString());
        assertTrue(errors.get(3).asText().contains("partitions must be integer"), errors.toString());
    }

    private static JsonNode node(Path root, List<String> files) throws IOException, InterruptedException {
        Path node = root.resolve("end-to-end/node");
        if (!Files.isDirectory(node.resolve("node_modules/kubernetes-models"))) {
            throw new IllegalStateException("kubernetes-models is not installed: run ./closedloop test (or npm ci in " + node + ")");
        }
        List<String> command = new ArrayList<>(List.of("node", "manifests-check.mjs"));
        command.addAll(files);
        Path out = Files.createTempFile("manifests", ".json");
        try {
            Process p = new ProcessBuilder(command).directory(node.toFile()).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("node manifests-check.mjs did not finish in 120 s");
            }
            String printed = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "node manifests-check.mjs exited with " + p.exitValue() + ": " + printed);
            String[] lines = printed.strip().split("\n");
            return JSON.readTree(lines[lines.length - 1]);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Runs {@code command} with its output to {@code out}; kubectl missing stops the test saying so. */
    private static void run(List<String> command, Path out, int seconds) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IllegalStateException(command.get(0) + " is not installed (the test command needs kubectl 1.32 with"
                    + " kustomize to build the overlays): " + e.getMessage(), e);
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        String errors = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed: " + errors);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : all.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
