package io.closedloop.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Creates and lists a workspace's Segment write keys through ingestion's GraphQL API (role {@code admin}). */
final class WriteKeys {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String ingestionUrl;
    private final String adminToken;

    WriteKeys(String ingestionUrl, DevTokens tokens, String workspace) {
        this.ingestionUrl = ingestionUrl;
        this.adminToken = tokens.mint("closedloop-cli", workspace, List.of("admin"), Duration.ofMinutes(5));
    }

    /** The workspace's first active write key, creating one named "default" if it has none. */
    String ensureOne() throws IOException, InterruptedException {
        JsonNode keys = call("{ writeKeys { key revokedAt } }").path("writeKeys");
        for (JsonNode k : keys) {
            if (k.path("revokedAt").isNull()) {
                return k.path("key").asText();
            }
        }
        return create("default");
    }

    String create(String name) throws IOException, InterruptedException {
        return call("mutation($name: String!) { createWriteKey(name: $name) { key } }", Map.of("name", name))
                .path("createWriteKey").path("key").asText();
    }

    private JsonNode call(String query) throws IOException, InterruptedException {
        return call(query, Map.of());
    }

    private JsonNode call(String query, Map<String, Object> variables) throws IOException, InterruptedException {
        byte[] body = JSON.writeValueAsBytes(Map.of("query", query, "variables", variables));
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestionUrl + "/graphql"))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(response.body());
        if (response.statusCode() != 200 || json.has("errors")) {
            throw new IOException("ingestion answered " + response.statusCode() + ": " + response.body());
        }
        return json.path("data");
    }
}
