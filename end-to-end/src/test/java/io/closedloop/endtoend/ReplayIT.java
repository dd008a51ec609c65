package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ServiceName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4's "replaying every request three times changes nothing", against the packaged ingestion service:
 * every kind of write (each Segment call, a batch, a short path, every GraphQL write mutation, a CSV import)
 * is sent once, then replayed twice more; the feeds and the per-item results must not change after the first.
 */
class ReplayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> FEEDS = List.of("touches", "identity-facts", "crm", "revenue", "spend", "erasures");

    static RunningSystem running;
    static String ingestion;

    @BeforeAll
    static void start() throws Exception {
        running = RunningSystem.startOnly(ServiceName.INGESTION);
        ingestion = running.url(ServiceName.INGESTION);
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void replayingEveryKindOfWriteTwiceMoreChangesNothing() throws Exception {
        String ws = "replay" + UUID.randomUUID().toString().substring(0, 8);
        String key = running.graphql(ServiceName.INGESTION, running.token(ws, "admin"), "mutation { createWriteKey(name: \"replay\") { key } }")
                .statusCode(200).extract().path("data.createWriteKey.key");

        List<String> first = sendEverything(ws, key);
        Map<String, List<JsonNode>> afterFirst = feeds(ws);
        assertEquals(8, afterFirst.get("touches").size(), "6 Segment touches and 2 offline touches: " + afterFirst.get("touches"));
        assertEquals(6, afterFirst.get("identity-facts").size(), afterFirst.get("identity-facts").toString());
        assertEquals(4, afterFirst.get("crm").size(), "account, contact and the CSV's two opportunities");
        assertEquals(1, afterFirst.get("revenue").size());
        assertEquals(1, afterFirst.get("spend").size());
        assertTrue(first.stream().anyMatch(r -> r.contains("CREATED")), first.toString());

        List<String> second = sendEverything(ws, key);
        assertEquals(afterFirst, feeds(ws), "the first replay wrote feed items");
        List<String> third = sendEverything(ws, key);
        assertEquals(afterFirst, feeds(ws), "the second replay wrote feed items");
        assertEquals(second, third, "a replay answers as the one before it did");
        for (int i = 0; i < first.size(); i++) {
            assertTrue(!second.get(i).contains("CREATED") && !second.get(i).contains("UPDATED"),
                    "a replay reported a change: " + second.get(i));
        }
        // The per-item results of the first write differ only in CREATED or UPDATED becoming UNCHANGED.
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).replace("CREATED", "UNCHANGED").replace("UPDATED", "UNCHANGED"), second.get(i));
        }
        assertNotEquals(first, second, "the first write must have created something");
    }

    /** Sends one of every write; returns each response in a form comparable between replays. */
    private static List<String> sendEverything(String ws, String key) throws Exception {
        List<String> results = new ArrayList<>();
        String t = "\"timestamp\":\"2026-03-01T10:00:00Z\"";
        results.add(segment(key, "/v1/track", "application/json", "{\"messageId\":\"tr1\",\"anonymousId\":\"a1\",\"userId\":\"u1\","
                + "\"event\":\"Demo Requested\",\"properties\":{\"email\":\"ada@acme.example\"}," + t + "}"));
        results.add(segment(key, "/v1/page", "application/json", "{\"messageId\":\"pg1\",\"anonymousId\":\"a1\",\"context\":{\"page\":"
                + "{\"url\":\"https://acme.example/?utm_source=google&utm_medium=cpc&utm_campaign=Brand&gclid=X1\"}}," + t + "}"));
        results.add(segment(key, "/v1/screen", "application/json", "{\"messageId\":\"sc1\",\"anonymousId\":\"a1\",\"name\":\"Home\"," + t + "}"));
        results.add(segment(key, "/v1/identify", "application/json", "{\"messageId\":\"id1\",\"anonymousId\":\"a1\",\"userId\":\"u1\","
                + "\"traits\":{\"email\":\"ada@acme.example\"}," + t + "}"));
        results.add(segment(key, "/v1/group", "application/json", "{\"messageId\":\"gr1\",\"userId\":\"u1\",\"groupId\":\"acc-1\","
                + "\"traits\":{\"name\":\"Acme\",\"website\":\"https://acme.example/\"}," + t + "}"));
        results.add(segment(key, "/v1/alias", "application/json", "{\"messageId\":\"al1\",\"userId\":\"u1\",\"previousId\":\"a0\"," + t + "}"));
        results.add(segment(key, "/v1/batch", "application/json", "{\"sentAt\":\"2026-03-01T10:00:05Z\",\"batch\":["
                + "{\"type\":\"track\",\"messageId\":\"b1\",\"anonymousId\":\"a2\",\"event\":\"Clicked\"," + t + "},"
                // No messageId: one is derived from the content, so the replay matches it.
                + "{\"type\":\"page\",\"anonymousId\":\"a2\",\"context\":{\"page\":{\"url\":\"https://acme.example/pricing\"}}," + t + "},"
                + "{\"type\":\"track\",\"messageId\":\"b-bad\",\"anonymousId\":\"a2\"}]}"));
        results.add(segment(key, "/v1/t", "text/plain", "{\"messageId\":\"short1\",\"anonymousId\":\"a3\",\"event\":\"Signed Up\"," + t + "}"));

        results.add(mutation(ws, "importExchangeRates", "rates", "ExchangeRateInput",
                List.of(Map.of("date", "2026-03-01", "currency", "EUR", "rate", "1.10"))));
        results.add(mutation(ws, "upsertAccounts", "accounts", "AccountInput",
                List.of(Map.of("id", "001A", "name", "Acme", "domains", List.of("acme.example")), Map.of("name", "no id"))));
        results.add(mutation(ws, "upsertContacts", "contacts", "ContactInput",
                List.of(Map.of("id", "003A", "email", "ada@acme.example", "accountId", "001A"))));
        results.add(mutation(ws, "upsertRevenue", "revenue", "RevenueInput",
                List.of(Map.of("id", "inv-1", "accountId", "001A", "amount", "100", "currency", "EUR", "occurredAt", "2026-03-01T00:00:00Z"))));
        results.add(mutation(ws, "upsertSpend", "spend", "SpendInput",
                List.of(Map.of("date", "2026-03-01", "source", "google", "medium", "cpc", "campaign", "Brand", "amount", "300"))));
        results.add(mutation(ws, "upsertOfflineTouches", "touches", "OfflineTouchInput",
                List.of(Map.of("id", "call-1", "occurredAt", "2026-03-02T15:00:00Z", "email", "ada@acme.example", "type", "call"),
                        Map.of("id", "booth-1", "occurredAt", "2026-03-02T15:00:00Z", "contactId", "003A", "type", "event"))));
        results.add(csvImport(ws, """
                "Opportunity ID","Account ID","Opportunity Name","Amount","Opportunity Currency","Created Date","Stage","Close Date","Won","Closed"
                "006A","001A","Acme - new","$50,000.00","USD","1/15/2026","Closed Won","3/2/2026","1","1"
                "006B","001A","Acme - more","1000","EUR","3/1/2026","Proposal","4/30/2026","0","0"
                "006C","001A","Bad amount","lots","USD","2/1/2026","Prospecting","4/30/2026","0","0"
                """));
        results.add(mutation(ws, "addOpportunityStageChanges", "changes", "OpportunityStageInput",
                List.of(Map.of("opportunityId", "006B", "stage", "Discovery", "enteredAt", "2026-03-01T00:00:00Z"))));
        return results;
    }

    private static String segment(String key, String path, String contentType, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() == 200, path + " answered " + response.statusCode() + ": " + response.body());
        return path + " " + response.statusCode() + " " + response.body();
    }

    private static String mutation(String ws, String name, String argument, String type, List<Map<String, Object>> items) throws Exception {
        String query = "mutation($items: [" + type + "!]!) { " + name + "(" + argument + ": $items) { index id status field error } }";
        JsonNode answer = graphql(running.token(ws, "ingest"), query, Map.of("items", items));
        assertTrue(answer.path("errors").isMissingNode(), name + ": " + answer);
        return name + " " + answer.path("data").path(name);
    }

    /** Starts a Salesforce-mapped opportunity import and waits for it; its counts and errors are the result. */
    private static String csvImport(String ws, String csv) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion + "/imports/opportunities?mapping=salesforce"))
                .header("Authorization", "Bearer " + running.token(ws, "ingest"))
                .header("Content-Type", "text/csv; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(csv)).build();
        HttpResponse<String> started = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        String id = JSON.readTree(started.body()).path("id").asText();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            JsonNode job = graphql(running.token(ws, "ingest"), "{ importJob(id: \"" + id + "\") { state rowsRead rowsAccepted rowsRejected"
                    + " errors { totalCount edges { node { row id field error } } } } }", Map.of()).path("data").path("importJob");
            if (!"RUNNING".equals(job.path("state").asText())) {
                assertEquals("SUCCEEDED", job.path("state").asText(), job.toString());
                assertEquals(3, job.path("rowsRead").asInt());
                assertEquals(2, job.path("rowsAccepted").asInt());
                assertEquals(1, job.path("rowsRejected").asInt());
                return "import " + job;
            }
            assertTrue(System.currentTimeMillis() < deadline, "the import did not finish in 60 s: " + job);
            Thread.sleep(100);
        }
    }

    private static JsonNode graphql(String token, String query, Map<String, Object> variables) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion + "/graphql"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query, "variables", variables)))).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** Every item of every feed about {@code ws}, read with a service token as a consumer does. */
    private static Map<String, List<JsonNode>> feeds(String ws) throws IOException, InterruptedException {
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        for (String stream : FEEDS) {
            List<JsonNode> items = new ArrayList<>();
            String after = "";
            while (true) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion + "/feeds/" + stream + "?limit=1000&after=" + after))
                        .header("Authorization", "Bearer " + running.serviceToken()).build();
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
                JsonNode page = JSON.readTree(response.body());
                if (page.path("items").isEmpty()) {
                    break;
                }
                for (JsonNode item : page.path("items")) {
                    if (ws.equals(item.path("workspace").asText())) {
                        items.add(item);
                    }
                }
                after = page.path("next").asText();
            }
            out.put(stream, items);
        }
        return out;
    }
}
