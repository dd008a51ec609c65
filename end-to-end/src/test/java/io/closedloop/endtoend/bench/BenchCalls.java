package io.closedloop.endtoend.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the end-to-end benchmarks ask a running system: GraphQL calls, the feeds' ends, the consumers' catch-up, the load. */
final class BenchCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The cursor after the last item of each feed read so far: the next read starts there. */
    private static final Map<String, String> ENDS = new HashMap<>();

    private BenchCalls() {
    }

    /** A GraphQL call; fails on any error in the answer. */
    static JsonNode call(String url, String token, String query) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/graphql")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query)))).build();
        JsonNode answer = JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
        if (answer.hasNonNull("errors")) {
            throw new IllegalStateException(query + ": " + answer.path("errors"));
        }
        return answer;
    }

    /** The cursor after the last item of a feed; pages of 10,000 from the last known end. */
    static String end(String url, String stream, String token) throws Exception {
        String after = ENDS.getOrDefault(url + stream, "");
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/feeds/" + stream + "?limit=10000&after=" + after))
                    .header("Authorization", "Bearer " + token).build();
            JsonNode page = JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
            if (page.path("items").isEmpty()) {
                ENDS.put(url + stream, after);
                return after;
            }
            after = page.path("next").asText();
        }
    }

    /**
     * Waits until identity and attribution stored, for every feed they read (each of its partitions), the position after
     * the feed's last item; prints what is behind every 10 s.
     */
    static void awaitCaughtUp(ClosedLoopSystem system, PostgresServer postgres, String prefix, String serviceToken,
                              Instant loadStart) throws Exception {
        while (true) {
            List<String> behind = new ArrayList<>();
            for (ServiceName consumer : List.of(ServiceName.IDENTITY, ServiceName.ATTRIBUTION)) {
                for (String feed : consumer.feedsRead()) {
                    ServiceName producer = feed.startsWith("identity/") ? ServiceName.IDENTITY : ServiceName.INGESTION;
                    String end = end(system.service(producer).url(), feed.substring(feed.indexOf('/') + 1), serviceToken);
                    try (Connection c = postgres.connectAsAdmin(prefix + consumer.database());
                         Statement s = c.createStatement();
                         ResultSet r = s.executeQuery("select coalesce(cursor, '') from feed_position where stream = '" + feed
                                 + "' or stream like '" + feed + "#%'")) {
                        boolean any = false;
                        boolean atEnd = true;
                        while (r.next()) {
                            any = true;
                            atEnd &= end.equals(streamPosition(r.getString(1)));
                        }
                        if (!(any ? atEnd : end.isEmpty())) {
                            behind.add(consumer.database() + " on " + feed);
                        }
                    }
                }
            }
            if (behind.isEmpty()) {
                System.out.printf("identity and attribution caught up %d s after the load began%n",
                        Duration.between(loadStart, Instant.now()).toSeconds());
                return;
            }
            System.out.printf("  behind: %s (%d s)%n", behind, Duration.between(loadStart, Instant.now()).toSeconds());
            Thread.sleep(10_000);
        }
    }

    /** A stored position without the Kafka offset a consumer over Kafka stores after it ("xid.seq.offset" → "xid.seq"). */
    static String streamPosition(String cursor) {
        int first = cursor.indexOf('.');
        int second = first < 0 ? -1 : cursor.indexOf('.', first + 1);
        return second < 0 ? cursor : cursor.substring(0, second);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
