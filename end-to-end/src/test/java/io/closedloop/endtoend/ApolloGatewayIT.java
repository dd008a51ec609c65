package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The subgraphs serve Apollo's own federation gateway (@apollo/gateway from npm, composing them with
 * IntrospectAndCompose) as one graph (issue 18): a query that starts at identity's accounts, asks ingestion's CRM
 * opportunities of each and attribution's W-shaped journey of each opportunity comes back whole, with every value equal
 * to what the owning subgraph answers directly, and Apollo makes one call per subgraph per level, 50 accounts or one
 * (the subgraphs resolve each entity type of an _entities call at once).
 */
class ApolloGatewayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WS = "apollo";
    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    private static final int DAYS = 150;
    private static final int ACCOUNTS = 50;

    static RunningSystem running;
    static Dataset dataset;
    static Process apollo;
    static String apolloUrl;
    static String callsUrl;
    static String analyst;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startLoadAndFederate() throws Exception {
        running = RunningSystem.start();
        String writeKey = running.graphql(ServiceName.INGESTION, running.token(WS, "admin"),
                        "mutation { createWriteKey(name: \"apollo-test\") { key } }")
                .statusCode(200).extract().path("data.createWriteKey.key");
        dataset = new Dataset(11, new Dataset.Size(ACCOUNTS, 2, 4, 1.0), START.atStartOfDay(ZoneOffset.UTC).toInstant(), DAYS);
        new DemoLoader(running.url(ServiceName.INGESTION), writeKey).load(dataset, running.token(WS, "ingest"));
        running.awaitConsumersCaughtUp(Duration.ofSeconds(180));
        analyst = running.token(WS, "analyst");

        Path node = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize().resolve("end-to-end/node");
        if (!Files.isDirectory(node.resolve("node_modules/@apollo/gateway"))) {
            throw new IllegalStateException("@apollo/gateway is not installed: run ./closedloop test (or npm ci in " + node + ")");
        }
        int port = freePort();
        int callsPort = freePort();
        apollo = new ProcessBuilder("node", "apollo-gateway.mjs", String.valueOf(port), String.valueOf(callsPort), analyst,
                "ingestion=" + running.url(ServiceName.INGESTION) + "/graphql",
                "identity=" + running.url(ServiceName.IDENTITY) + "/graphql",
                "attribution=" + running.url(ServiceName.ATTRIBUTION) + "/graphql")
                .directory(node.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(apollo.getInputStream(), StandardCharsets.UTF_8));
        String ready = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(90, TimeUnit.SECONDS);
        assertEquals("{\"ready\":true}", ready, "Apollo Gateway composed the subgraphs and listens");
        apolloUrl = "http://localhost:" + port + "/";
        callsUrl = "http://localhost:" + callsPort;
    }

    @AfterAll
    static void stop() throws Exception {
        if (apollo != null) {
            apollo.destroy();
            apollo.waitFor(10, TimeUnit.SECONDS);
        }
        if (running != null) {
            running.close();
        }
    }

    @Test
    void fiftyAccountsWithTheirContactsOpportunitiesAndJourneysInOneQueryOneCallPerSubgraph() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            ids.add(dataset.account(a).account().id());
        }
        String journey = "journey(model: {name: W_SHAPED}) { model amount touches { touchId credit amount milestones } }";
        String query = "query($ids: [String!]!) { accountsById(id: $ids) { id name domains persons { id } industry"
                + " opportunities(first: 20) { totalCount edges { node { id name amount status " + journey + " } } } } }";
        reset();
        JsonNode answer = ask(apolloUrl, query, Map.of("ids", ids));
        Map<String, Integer> calls = calls();
        assertTrue(answer.path("errors").isMissingNode(), answer.path("errors").toString());
        assertEquals(Map.of("identity", 1, "ingestion", 1, "attribution", 1), calls,
                "one call per subgraph: identity's root, then one _entities call per level");

        JsonNode accounts = answer.path("data").path("accountsById");
        assertEquals(ACCOUNTS, accounts.size());
        // Identity's part as identity answers it, ingestion's and attribution's as they answer their own entities.
        JsonNode identity = direct(ServiceName.IDENTITY, "query($ids: [String!]!) { accountsById(id: $ids) { id name domains"
                + " persons { id } } }", Map.of("ids", ids)).path("accountsById");
        List<Map<String, String>> accountRefs = new ArrayList<>();
        ids.forEach(id -> accountRefs.add(Map.of("__typename", "Account", "id", id)));
        JsonNode crm = direct(ServiceName.INGESTION, "query($r: [_Any!]!) { _entities(representations: $r) { ... on Account {"
                + " industry opportunities(first: 20) { totalCount edges { node { id name amount status } } } } } }",
                Map.of("r", accountRefs)).path("_entities");
        int opportunities = 0;
        int touched = 0;
        for (int a = 0; a < ACCOUNTS; a++) {
            JsonNode account = accounts.get(a);
            String what = "account " + ids.get(a);
            assertEquals(ids.get(a), account.path("id").asText(), what);
            for (String field : List.of("name", "domains", "persons")) {
                assertEquals(identity.get(a).path(field), account.path(field), what + " " + field);
            }
            assertEquals(crm.get(a).path("industry"), account.path("industry"), what + " industry");
            assertEquals(crm.get(a).path("opportunities").path("totalCount"), account.path("opportunities").path("totalCount"), what);
            JsonNode edges = account.path("opportunities").path("edges");
            for (int o = 0; o < edges.size(); o++) {
                JsonNode opportunity = edges.get(o).path("node");
                JsonNode expected = crm.get(a).path("opportunities").path("edges").get(o).path("node");
                for (String field : List.of("id", "name", "amount", "status")) {
                    assertEquals(expected.path(field), opportunity.path(field), what + " opportunity " + o + " " + field);
                }
                JsonNode own = direct(ServiceName.ATTRIBUTION, "query($id: String!) { opportunityJourney(opportunityId: $id, model:"
                        + " {name: W_SHAPED}) { model amount touches { touchId credit amount milestones } } }",
                        Map.of("id", opportunity.path("id").asText())).path("opportunityJourney");
                assertEquals(own, opportunity.path("journey"), what + " opportunity " + opportunity.path("id").asText());
                opportunities++;
                touched += opportunity.path("journey").path("touches").size() > 0 ? 1 : 0;
            }
        }
        assertTrue(opportunities >= ACCOUNTS / 2, "the dataset's accounts have opportunities: " + opportunities);
        assertTrue(touched > 0, "some journeys have touches");

        // One account costs the same three calls: the planner asks per level, not per entity.
        reset();
        JsonNode one = ask(apolloUrl, query, Map.of("ids", List.of(ids.get(0))));
        assertTrue(one.path("errors").isMissingNode(), one.path("errors").toString());
        assertEquals(Map.of("identity", 1, "ingestion", 1, "attribution", 1), calls());
        assertEquals(accounts.get(0), one.path("data").path("accountsById").get(0));
    }

    @Test
    void aReportRowsOpportunityCarriesIngestionsFieldsInTheSameQuery() throws Exception {
        String period = "{from: \"" + START + "\", to: \"" + START.plusDays(DAYS + 120) + "\"}";
        reset();
        JsonNode answer = ask(apolloUrl, "{ creditedOpportunities(period: " + period + ", model: {name: LINEAR}, first: 50) {"
                + " edges { node { opportunityId amount opportunity { id name amount status } } } } }", Map.of());
        assertTrue(answer.path("errors").isMissingNode(), answer.path("errors").toString());
        assertEquals(Map.of("identity", 0, "ingestion", 1, "attribution", 1), calls());
        JsonNode edges = answer.path("data").path("creditedOpportunities").path("edges");
        assertTrue(edges.size() > 0, "credited opportunities: " + answer);
        for (JsonNode edge : edges) {
            JsonNode node = edge.path("node");
            assertEquals(node.path("opportunityId"), node.path("opportunity").path("id"));
            assertEquals(node.path("amount"), node.path("opportunity").path("amount"), "the deal's amount, as the CRM has it");
        }
    }

    private static JsonNode direct(ServiceName service, String query, Map<String, Object> variables) throws Exception {
        JsonNode answer = ask(running.url(service) + "/graphql", query, variables);
        assertTrue(answer.path("errors").isMissingNode(), service + ": " + answer.path("errors"));
        return answer.path("data");
    }

    private static JsonNode ask(String url, String query, Map<String, Object> variables) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + analyst).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query, "variables", variables))))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static void reset() throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(callsUrl + "/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Integer> calls() throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(callsUrl + "/calls")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        return JSON.readValue(body, JSON.getTypeFactory().constructMapType(Map.class, String.class, Integer.class));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
