package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ServiceName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three subgraphs compose under Apollo Federation v2 (@apollo/composition from npm, the library
 * rover and Apollo Router's supergraph build use), without errors or conflict hints; and every query
 * field the gateway offers beyond that composition is documented in reporting-gateway/README.md as a
 * gateway addition (DESIGN §9 "Where the reports live"). And the public schema's contract: every breaking change since
 * the released schema is recorded in docs/api/gateway.graphql, every operation the dashboard sends is valid against it
 * (@graphql-inspector/core and graphql-js from npm), and the dashboard's script type-checks against TypeScript types
 * generated from the schema (@graphql-codegen/cli, tsc --checkJs).
 */
class FederationCompositionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hint codes that mean the subgraphs disagree about a shared type or field. */
    private static final Pattern CONFLICT = Pattern.compile("INCONSISTENT|CONFLICT|MISMATCH|OVERRIDE");

    static RunningSystem running;
    static JsonNode composition;

    @BeforeAll
    static void startAndCompose() throws Exception {
        running = RunningSystem.start();
        composition = compose(running.token("federation", "analyst", "admin", "ingest"),
                "ingestion=" + running.url(ServiceName.INGESTION) + "/graphql",
                "identity=" + running.url(ServiceName.IDENTITY) + "/graphql",
                "attribution=" + running.url(ServiceName.ATTRIBUTION) + "/graphql");
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void theThreeSubgraphsComposeWithoutErrorsOrConflicts() {
        assertEquals(0, composition.path("errors").size(), "composition errors: " + composition.path("errors"));
        List<String> conflicts = new ArrayList<>();
        for (JsonNode hint : composition.path("hints")) {
            if (CONFLICT.matcher(hint.path("code").asText()).find()) {
                conflicts.add(hint.path("code").asText() + ": " + hint.path("message").asText());
            }
        }
        assertEquals(List.of(), conflicts, "composition hints of conflict");
        assertTrue(composition.path("supergraphSdl").asText().contains("@join__type(graph: IDENTITY, key: \"id\")"),
                "identity's entities keep their @key in the supergraph");
    }

    /**
     * reporting-gateway's supergraph.graphql (a resource, so the gateway can plan queries over it) is what the running
     * subgraphs compose to, with the subgraphs' in-cluster URLs of k8s/base/config.yaml: regenerate it with
     * {@code -DupdateSupergraph=true} when a subgraph's schema changes on purpose.
     */
    @Test
    void theCommittedSupergraphIsWhatTheSubgraphsComposeTo() throws IOException {
        String composed = composition.path("supergraphSdl").asText()
                .replace(running.url(ServiceName.INGESTION) + "/graphql", "http://ingestion-service/graphql")
                .replace(running.url(ServiceName.IDENTITY) + "/graphql", "http://identity-service/graphql")
                .replace(running.url(ServiceName.ATTRIBUTION) + "/graphql", "http://attribution-service/graphql");
        assertTrue(composed.contains("http://identity-service/graphql"), "the subgraph URLs were made canonical: " + composed);
        Path committed = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize()
                .resolve("reporting-gateway/src/main/resources/supergraph.graphql");
        if (Boolean.getBoolean("updateSupergraph")) {
            Files.writeString(committed, composed + "\n");
        }
        assertEquals(Files.exists(committed) ? Files.readString(committed).strip() : "(missing)", composed.strip(),
                "the subgraphs compose to another supergraph than reporting-gateway's supergraph.graphql; if intended, regenerate it"
                        + " (see this test's Javadoc)");
    }

    @Test
    void everyGatewayOnlyQueryFieldIsDocumentedAsAGatewayAddition() throws IOException {
        TreeSet<String> supergraph = new TreeSet<>();
        composition.path("queryFields").forEach(f -> supergraph.add(f.asText()));
        assertTrue(supergraph.size() > 5, "the supergraph's API schema has the subgraphs' queries: " + supergraph);
        TreeSet<String> gateway = new TreeSet<>();
        running.graphql(ServiceName.GATEWAY, running.token("federation", "analyst"), "{ __schema { queryType { fields { name } } } }")
                .statusCode(200).extract().<List<String>>path("data.__schema.queryType.fields.name").forEach(gateway::add);

        TreeSet<String> gatewayOnly = new TreeSet<>(gateway);
        gatewayOnly.removeAll(supergraph);
        TreeSet<String> supergraphOnly = new TreeSet<>(supergraph);
        supergraphOnly.removeAll(gateway);
        System.out.println("Query fields only in the gateway: " + gatewayOnly);
        System.out.println("Query fields only in the Federation supergraph: " + supergraphOnly);

        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("reporting-gateway/README.md"));
        int section = readme.indexOf("## Gateway additions");
        assertTrue(section >= 0, "reporting-gateway/README.md has a '## Gateway additions' section");
        String additions = readme.substring(section, nextSection(readme, section));
        List<String> undocumented = gatewayOnly.stream().filter(f -> !additions.contains("`" + f + "`")).toList();
        assertEquals(List.of(), undocumented, "gateway-only query fields missing from README's 'Gateway additions'");
    }

    @Test
    void everyEndpointPassesEveryMustAndShouldOfTheGraphQlOverHttpAudit() throws Exception {
        String token = running.token("federation", "analyst", "admin", "ingest");
        for (ServiceName service : ServiceName.values()) {
            JsonNode audits = node("graphql-audit.mjs", "graphql-http", List.of(running.url(service) + "/graphql", token));
            assertTrue(audits.size() > 50, service + ": the audit ran (" + audits.size() + " audits)");
            List<String> failed = new ArrayList<>();
            List<String> warned = new ArrayList<>();
            for (JsonNode audit : audits) {
                String line = audit.path("id").asText() + " " + audit.path("name").asText() + ": " + audit.path("reason").asText();
                switch (audit.path("status").asText()) {
                    case "error" -> failed.add(line);
                    case "warn" -> warned.add(line);
                    default -> { }
                }
            }
            assertEquals(List.of(), failed, service + ": MUSTs of the GraphQL-over-HTTP audit that failed");
            assertEquals(List.of(), warned, service + ": SHOULDs of the GraphQL-over-HTTP audit not met");
        }
    }

    private static int nextSection(String text, int from) {
        int next = text.indexOf("\n## ", from + 3);
        return next < 0 ? text.length() : next;
    }

    @Test
    void theCommittedSchemaRecordsEveryBreakingChangeAndTheDashboardsOperationsAreValid() throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        JsonNode check = node("schema-check.mjs", "@graphql-inspector/core", List.of(
                root.resolve("docs/api/releases/gateway.v1.graphql").toString(), root.resolve("docs/api/gateway.graphql").toString(),
                root.resolve("reporting-gateway/src/main/resources/META-INF/resources/dashboard/dashboard.js").toString()));
        assertEquals(0, check.path("unrecorded").size(), "breaking changes since v1 that docs/api/gateway.graphql does not record"
                + " (add a '# BREAKING: <message>' line each to its header): " + check.path("unrecorded"));
        assertTrue(check.path("breaking").size() > 0, "the diff found the recorded breaking changes: " + check);
        assertTrue(check.path("operations").asInt() >= 7, "the dashboard's operations were found: " + check);
        assertEquals(0, check.path("invalid").size(), "dashboard operations the schema refuses: " + check.path("invalid"));
    }

    @Test
    void theDashboardsScriptTypeChecksAgainstTypesGeneratedFromTheSchema() throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        JsonNode check = node("dashboard-types.mjs", "@graphql-codegen/cli", List.of(root.resolve("docs/api/gateway.graphql").toString(),
                root.resolve("reporting-gateway/src/main/resources/META-INF/resources/dashboard/dashboard.js").toString()));
        assertTrue(check.path("operations").size() >= 7, "a type for each of the dashboard's operations: " + check);
        assertEquals(0, check.path("errors").size(), "tsc --checkJs on dashboard.js with the generated types: " + check.path("errors"));
    }

    /** Runs end-to-end/node/compose.mjs and returns what it printed. */
    private static JsonNode compose(String token, String... subgraphs) throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of(token));
        arguments.addAll(List.of(subgraphs));
        return node("compose.mjs", "@apollo/composition", arguments);
    }

    /** Runs a script of end-to-end/node that needs the npm package {@code module}; the JSON of its last printed line. */
    private static JsonNode node(String script, String module, List<String> arguments) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        Path node = root.resolve("end-to-end/node");
        if (!Files.isDirectory(node.resolve("node_modules/" + module))) {
            throw new IllegalStateException(module + " is not installed: run ./closedloop test (or npm ci in " + node + ")");
        }
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(arguments);
        Path out = Files.createTempFile("node", ".json");
        Process p = new ProcessBuilder(command).directory(node.toFile())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("node " + script + " did not finish in 120 s");
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        assertEquals(0, p.exitValue(), "node " + script + " exited with " + p.exitValue() + ": " + printed);
        String[] lines = printed.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }
}
