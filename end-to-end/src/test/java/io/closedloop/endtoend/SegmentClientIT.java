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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real {@code @segment/analytics-node} client from npm (end-to-end/node) pointed at the packaged
 * ingestion service: its track, page, identify, group and alias calls come out of the touch and
 * identity feeds with the right UTMs and channels, and its requests replayed three times change nothing.
 */
class SegmentClientIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

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
    void analyticsNodeCallsComeOutOfTheFeedsWithTheirUtmsAndChannels() throws Exception {
        String workspace = "node" + UUID.randomUUID().toString().substring(0, 8);
        String run = "run" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode client = runClient(writeKey(workspace), run);
        assertEquals(0, client.path("errors").size(), "the client reported errors: " + client.path("errors"));
        assertFalse(client.path("responses").isEmpty());
        for (JsonNode response : client.path("responses")) {
            assertEquals(200, response.path("status").asInt(), "every batch acknowledged: " + client.path("responses"));
        }

        Map<String, JsonNode> touches = byId(feed("touches", workspace));
        assertEquals(4, touches.size(), touches.keySet().toString());
        JsonNode paid = touches.get(run + "-page-paid").path("payload");
        assertEquals("PAGE_VIEW", paid.path("type").asText());
        assertEquals("paid_search", paid.path("channel").asText());
        assertEquals("google", paid.path("source").asText());
        assertEquals("cpc", paid.path("medium").asText());
        assertEquals("brand search", paid.path("campaign").asText());
        assertEquals("Cj0KCQ", paid.path("clickIds").path("gclid").asText());
        assertEquals("https://www.google.com/", paid.path("referrer").asText());
        assertTrue(paid.path("utmValid").asBoolean());
        JsonNode social = touches.get(run + "-page-social").path("payload");
        assertEquals("organic_social", social.path("channel").asText());
        assertEquals("linkedin", social.path("source").asText());
        JsonNode email = touches.get(run + "-track-email").path("payload");
        assertEquals("email", email.path("channel").asText());
        assertEquals("newsletter", email.path("source").asText());
        assertEquals("email", email.path("medium").asText());
        assertEquals("march digest", email.path("campaign").asText());
        assertEquals("TRACK", email.path("type").asText());
        JsonNode form = touches.get(run + "-form").path("payload");
        assertEquals("FORM_FILL", form.path("type").asText());
        assertEquals("Demo Requested", form.path("event").asText());
        assertEquals("[{\"type\":\"anonymous_id\",\"value\":\"" + run + "-anon\"},{\"type\":\"user_id\",\"value\":\"" + run
                + "-user\"},{\"type\":\"email\",\"value\":\"ada@acme.example\"}]", form.path("identifiers").toString());

        Map<String, JsonNode> facts = byId(feed("identity-facts", workspace));
        assertEquals("identify", facts.get(run + "-identify").path("kind").asText());
        assertTrue(facts.get(run + "-identify").path("payload").path("identifiers").toString().contains("ada@acme.example"));
        JsonNode group = facts.get(run + "-group").path("payload").path("account");
        assertEquals(run + "-account", group.path("id").asText());
        assertEquals("acme.example", group.path("domain").asText());
        assertEquals("Acme", group.path("name").asText());
        // analytics-node's alias carries no anonymousId, so previousId is linked as both kinds of id.
        assertEquals("[{\"type\":\"anonymous_id\",\"value\":\"" + run + "-anon\"},{\"type\":\"user_id\",\"value\":\"" + run + "-anon\"},"
                + "{\"type\":\"user_id\",\"value\":\"" + run + "-user\"}]", facts.get(run + "-alias").path("payload").path("identifiers").toString());
        assertEquals("link", facts.get(run + "-form").path("kind").asText());
        assertEquals(4, facts.size(), facts.keySet().toString());

        // Replaying every request of the client three times, exactly as it sent them, stores nothing twice.
        for (JsonNode request : client.path("requests")) {
            for (int i = 0; i < 3; i++) {
                HttpRequest.Builder replay = HttpRequest.newBuilder(URI.create(request.path("url").asText()))
                        .POST(HttpRequest.BodyPublishers.ofString(request.path("body").asText()));
                Iterator<Map.Entry<String, JsonNode>> headers = request.path("headers").properties().iterator();
                while (headers.hasNext()) {
                    Map.Entry<String, JsonNode> h = headers.next();
                    if (!h.getKey().equalsIgnoreCase("user-agent")) {
                        replay.header(h.getKey(), h.getValue().asText());
                    }
                }
                HttpResponse<String> response = HTTP.send(replay.build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
            }
        }
        assertEquals(4, feed("touches", workspace).size());
        assertEquals(4, feed("identity-facts", workspace).size());
    }

    private static String writeKey(String workspace) {
        return running.graphql(ServiceName.INGESTION, running.token(workspace, "admin"), "mutation { createWriteKey(name: \"node\") { key } }")
                .statusCode(200).extract().path("data.createWriteKey.key");
    }

    /** Runs end-to-end/node/segment-client.mjs and returns what it printed. */
    private static JsonNode runClient(String writeKey, String run) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        Path node = root.resolve("end-to-end/node");
        if (!Files.isDirectory(node.resolve("node_modules/@segment/analytics-node"))) {
            throw new IllegalStateException("@segment/analytics-node is not installed: run ./closedloop test (or npm ci in " + node + ")");
        }
        Path out = Files.createTempFile("segment-client", ".json");
        Process p = new ProcessBuilder("node", "segment-client.mjs", ingestion, writeKey, run)
                .directory(node.toFile())
                .redirectErrorStream(false)
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("node segment-client.mjs did not finish in 90 s");
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        assertEquals(0, p.exitValue(), "node exited with " + p.exitValue() + ": " + printed);
        String[] lines = printed.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    /** Every item of a feed about {@code workspace}, paging from the start as a consumer does. */
    private static List<JsonNode> feed(String stream, String workspace) throws IOException, InterruptedException {
        List<JsonNode> items = new ArrayList<>();
        String after = "";
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion + "/feeds/" + stream + "?limit=1000&after=" + after))
                    .header("Authorization", "Bearer " + running.serviceToken()).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = JSON.readTree(response.body());
            if (page.path("items").isEmpty()) {
                return items;
            }
            for (JsonNode item : page.path("items")) {
                if (workspace.equals(item.path("workspace").asText())) {
                    items.add(item);
                }
            }
            after = page.path("next").asText();
        }
    }

    private static Map<String, JsonNode> byId(List<JsonNode> items) {
        Map<String, JsonNode> out = new HashMap<>();
        items.forEach(i -> out.put(i.path("payload").path("id").asText(), i));
        return out;
    }
}
