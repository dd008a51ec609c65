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

    private BenchCalls() {
    }

    /** A GraphQL call; fails on any error in the answer. */
    static JsonNode call(String url, String token, String query) throws Exception {
        JsonNode answer = answer(url, token, query);
        if (answer.hasNonNull("errors")) {
            throw new IllegalStateException(query + ": " + answer.path("errors"));
        }
        return answer;
    }

    /** A GraphQL call's whole answer, errors included. */
    static JsonNode answer(String url, String token, String query) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/graphql")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query)))).build();
        return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
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
                behind.addAll(behind(system, postgres, prefix, serviceToken, consumer));
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

    /**
     * The feeds {@code consumer} has not stored the position after the last item of (in some partition), as "database on
     * feed": for each stored position, whether the producer has an item after it (a page of one item asked, so that asking
     * costs the producer next to nothing however far behind the consumer is).
     */
    static List<String> behind(ClosedLoopSystem system, PostgresServer postgres, String prefix, String serviceToken,
                               ServiceName consumer) throws Exception {
        List<String> behind = new ArrayList<>();
        for (String feed : consumer.feedsRead()) {
            ServiceName producer = feed.startsWith("identity/") ? ServiceName.IDENTITY : ServiceName.INGESTION;
            String url = system.service(producer).url() + "/feeds/" + feed.substring(feed.indexOf('/') + 1) + "?limit=1";
            Map<String, String> positions = new HashMap<>();
            try (Connection c = postgres.connectAsAdmin(prefix + consumer.database());
                 Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select stream, coalesce(cursor, '') from feed_position where stream = '" + feed
                         + "' or stream like '" + feed + "#%'")) {
                while (r.next()) {
                    String stream = r.getString(1);
                    String partition = stream.contains("#") ? "&partition=" + stream.substring(stream.indexOf('#') + 1) : "";
                    positions.put(partition, streamPosition(r.getString(2)));
                }
            }
            if (positions.isEmpty()) {
                positions.put("", "");
            }
            for (Map.Entry<String, String> position : positions.entrySet()) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url + position.getKey() + "&after=" + position.getValue()))
                        .header("Authorization", "Bearer " + serviceToken).build();
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                JsonNode page = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
                if (page == null || !page.path("items").isArray()) {
                    throw new IllegalStateException(url + ": HTTP " + response.statusCode() + " " + response.body());
                }
                // A partition's page walks the stream and holds that partition's items: another partition's item after the
                // position is walked (and the position will move past it), so the consumer is not at the end yet.
                if (!page.path("items").isEmpty() || page.path("walked").asInt() > 0) {
                    behind.add(consumer.database() + " on " + feed + position.getKey().replace("&partition=", " partition "));
                    break;
                }
            }
        }
        return behind;
    }

    /** A stored position without the Kafka offset a consumer over Kafka stores after it ("xid.seq.offset" → "xid.seq"). */
    static String streamPosition(String cursor) {
        int first = cursor.indexOf('.');
        int second = first < 0 ? -1 : cursor.indexOf('.', first + 1);
        return second < 0 ? cursor : cursor.substring(0, second);
    }

    /** Every service on a free port (ClosedLoopSystem.start's 0). */
    static Map<ServiceName, Integer> freePorts() {
        Map<ServiceName, Integer> ports = new HashMap<>();
        for (ServiceName s : ServiceName.values()) {
            ports.put(s, 0);
        }
        return ports;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /**
     * The CPU so far of the PostgreSQL server whose process is {@code serverPid} (the first line of its data directory's
     * postmaster.pid), by database: each live backend's CPU under its database's name (from its process title,
     * "postgres: user database host"), the server's and its background processes' (WAL writer, checkpointer, autovacuum
     * launcher) under "background", and the processes that have exited (closed connections' backends, autovacuum workers)
     * under "exited" (the server's reaped children's time in /proc: summing the live processes only would lose a closed
     * backend's CPU).
     */
    static Map<String, Long> postgresCpuMillisByDatabase(long serverPid) {
        Map<String, Long> millis = new java.util.TreeMap<>();
        for (ProcessHandle server : ProcessHandle.of(serverPid).stream().toList()) {
            long own = procStatMillis(server.pid(), false);
            millis.merge("background", own, Long::sum);
            millis.merge("exited", procStatMillis(server.pid(), true) - own, Long::sum);
            for (ProcessHandle child : server.children().toList()) {
                millis.merge(database(child.pid()), procStatMillis(child.pid(), false), Long::sum);
            }
        }
        return millis;
    }

    /** A backend's database from its process title ("postgres: user database host ..."); "background" for the rest. */
    private static String database(long pid) {
        try {
            String[] title = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim().split("\\s+");
            return title.length >= 4 && title[0].equals("postgres:") && title[3].matches(".*\\(\\d+\\)|\\[local\\]")
                    ? title[2] : "background";
        } catch (Exception e) {
            return "background";
        }
    }

    /** utime + stime (+ cutime + cstime) of /proc/PID/stat, in milliseconds (clock ticks of 10 ms); 0 once the process is gone. */
    private static long procStatMillis(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the fields after the command, which is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withReapedChildren) {
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return ticks * 10;
        } catch (Exception e) {
            return 0;
        }
    }
}
