package io.closedloop.endtoend;

import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.ServiceProcess;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: attribution's replicas share the feeds while a dataset is loaded through the public APIs. Two replicas
 * (feeds in 4 partitions, leases of 3 s) split the work; one is killed with SIGKILL in the middle of the load and its
 * partitions move to the other within 10 s; a new replica joins later and takes its share. At the end every item of
 * the memberships log was applied exactly once (the service's own audit, feed_application, written with the positions:
 * summed over the replicas, the log's items), and the rule-based reports read from the rollups equal those of a full
 * recompute run afterwards. Over both transports: the PostgreSQL feeds, and Kafka through a broker restart.
 */
class ReplicasIT {

    private static final String WS = "replicas";
    private static final LocalDate START = LocalDate.of(2025, 1, 1);
    private static final List<String> MODELS = List.of("FIRST_TOUCH", "FULL_PATH", "INVERSE_J", "J_SHAPED", "LAST_NON_DIRECT",
            "LAST_TOUCH", "LINEAR", "TIME_DECAY", "U_SHAPED", "W_SHAPED");

    static RunningSystem running;

    private static final Map<String, String> PARTITIONED = Map.of("CLOSEDLOOP_FEEDS_PARTITIONS", "4", "CLOSEDLOOP_FEEDS_LEASE_TTL", "3s");

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    @Test
    void overPostgresqlReplicasShareTheFeedsThroughAKillAndAJoinAndApplyEveryItemOnce() throws Exception {
        running = RunningSystem.startOnly(Map.of(ServiceName.IDENTITY, PARTITIONED, ServiceName.ATTRIBUTION, PARTITIONED),
                ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION);
        replicasShareTheFeeds();
    }

    /**
     * The same over Kafka (closedloop.feeds.transport=kafka, a real KRaft broker, topics of 4 partitions): besides the
     * replica's kill, the broker itself is killed with SIGKILL mid-load and started again on its data.
     */
    @Test
    void overKafkaThroughABrokerRestartReplicasShareTheTopicsAndApplyEveryItemOnce() throws Exception {
        running = RunningSystem.startOverKafka(4, Map.of(ServiceName.IDENTITY, PARTITIONED, ServiceName.ATTRIBUTION, PARTITIONED),
                ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION);
        replicasShareTheFeeds();
    }

    private void replicasShareTheFeeds() throws Exception {
        ServiceProcess second = running.system.startReplica(ServiceName.ATTRIBUTION);
        awaitLeaseOwners(2, Duration.ofSeconds(20));

        Dataset dataset = new Dataset(21, Dataset.Size.DEMO, START.atStartOfDay(ZoneOffset.UTC).toInstant(), 365);
        String key = running.graphql(ServiceName.INGESTION, running.token(WS, "admin"), "mutation { createWriteKey(name: \"load\") { key } }")
                .body("errors", nullValue()).extract().path("data.createWriteKey.key");
        CompletableFuture<DemoLoader.Loaded> load = CompletableFuture.supplyAsync(() -> {
            try {
                return new DemoLoader(running.url(ServiceName.INGESTION), key).load(dataset, running.token(WS, "ingest"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // Mid-load: once the second replica has applied pages of its own, it is killed.
        awaitApplied(second, Duration.ofSeconds(120));
        assertTrue(!load.isDone(), "the load is still running when the replica is killed");
        second.kill();
        long killed = System.nanoTime();
        awaitLeaseOwners(1, Duration.ofSeconds(15));
        long movedMillis = (System.nanoTime() - killed) / 1_000_000;
        assertTrue(movedMillis <= 10_000, "the killed replica's partitions moved in " + movedMillis + " ms");
        if (running.kafka != null) {
            // The broker dies (SIGKILL) while the load goes on: the relays and the consumers wait and go on where their
            // databases say they stood.
            running.kafka.kill();
            assertTrue(!load.isDone(), "the load is still running when the broker dies");
            running.kafka.start();
        }

        // A new replica joins while the load goes on (or just after) and takes its share.
        ServiceProcess third = running.system.startReplica(ServiceName.ATTRIBUTION);
        awaitLeaseOwners(2, Duration.ofSeconds(20));
        load.get();
        // Visits after the load, in every partition: work for the replica that joined, however early the load ended.
        List<Map<String, Object>> visits = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String url = "https://replicas.example/?utm_source=late&utm_medium=cpc&utm_campaign=c" + (i % 7);
            visits.add(Map.of("type", "page", "messageId", "late-" + i, "anonymousId", "late-visitor-" + (i % 50),
                    "timestamp", START.plusDays(200 + i % 100) + "T10:00:00Z", "properties", Map.of("url", url),
                    "context", Map.of("page", Map.of("url", url))));
        }
        given().auth().preemptive().basic(key, "").contentType("application/json").body(Map.of("batch", visits))
                .post(running.url(ServiceName.INGESTION) + "/v1/batch").then().statusCode(200);
        running.awaitConsumersCaughtUp(Duration.ofSeconds(180));
        awaitRollupsReady(Duration.ofSeconds(120));

        // Every item applied exactly once, by whichever replica held its partition then. The memberships feed is a log
        // (each change a new item), so its items applied over every replica are exactly its items; ingestion's streams
        // hold each object's latest state, so an object changed after it was applied is applied again (at least their
        // items, then).
        Map<String, Long> owners = new TreeMap<>();
        try (Connection c = running.database(ServiceName.ATTRIBUTION)) {
            for (String feed : ServiceName.ATTRIBUTION.feedsRead()) {
                try (ResultSet r = c.createStatement().executeQuery("select coalesce(sum(items), 0) from feed_application"
                        + " where stream like '" + feed + "#%'")) {
                    r.next();
                    long items = running.feedItems(feed);
                    if (feed.equals("identity/memberships")) {
                        assertEquals(items, r.getLong(1), feed + ": items applied over every replica");
                    } else {
                        assertTrue(r.getLong(1) >= items, feed + ": " + r.getLong(1) + " items applied over every replica, "
                                + items + " in the feed");
                    }
                }
            }
            try (ResultSet r = c.createStatement().executeQuery("select owner, sum(items) from feed_application group by owner")) {
                while (r.next()) {
                    owners.put(r.getString(1), r.getLong(2));
                }
            }
        }
        assertEquals(3, owners.size(), "the three replicas each applied items: " + owners);
        System.out.printf("ReplicasIT (%s): the killed replica's partitions moved in %d ms; items applied per replica %s%n",
                running.kafka != null ? "Kafka" : "PostgreSQL", movedMillis, owners);
        assertTrue(third.isAlive());

        // The rollups, maintained by three replicas through a kill and a catch-up, equal a full recompute's.
        Map<String, double[]> before = reports();
        recompute();
        Map<String, double[]> after = reports();
        assertEquals(before.keySet(), after.keySet());
        before.forEach((row, values) -> {
            for (int i = 0; i < values.length; i++) {
                assertEquals(after.get(row)[i], values[i], 1e-9 * Math.max(1, Math.abs(values[i])), row + " [" + i + "]");
            }
        });
    }

    /** Every rule-based model's report of the year, both bases, by channel: "basis model key" → credit, amount, opportunities. */
    private static Map<String, double[]> reports() {
        Map<String, double[]> reports = new TreeMap<>();
        String analyst = running.token(WS, "analyst");
        for (String basis : List.of("PIPELINE", "REVENUE")) {
            for (String model : MODELS) {
                List<Map<String, Object>> rows = running.graphql(ServiceName.ATTRIBUTION, analyst, "{ attribution(period: {from: \""
                                + START + "\", to: \"" + START.plusDays(500) + "\"}, basis: " + basis + ", model: {name: " + model + "})"
                                + " { rows { key credit amount opportunities } } }")
                        .statusCode(200).body("errors", nullValue()).extract().path("data.attribution.rows");
                assertTrue(!rows.isEmpty(), basis + " " + model + " has rows");
                for (Map<String, Object> row : rows) {
                    reports.put(basis + " " + model + " " + row.get("key"), new double[] {((Number) row.get("credit")).doubleValue(),
                            ((Number) row.get("amount")).doubleValue(), ((Number) row.get("opportunities")).doubleValue()});
                }
            }
        }
        return reports;
    }

    private static void recompute() throws InterruptedException {
        String admin = running.token(WS, "admin");
        running.graphql(ServiceName.ATTRIBUTION, admin, "mutation { recomputeRollups { generation } }").body("errors", nullValue());
        awaitRollupsReady(Duration.ofSeconds(120));
    }

    /** Waits until the workspace's rollups are ready and no recompute is running. */
    private static void awaitRollupsReady(Duration timeout) throws InterruptedException {
        String admin = running.token(WS, "admin");
        long deadline = System.nanoTime() + timeout.toNanos();
        String progress = "";
        while (System.nanoTime() < deadline) {
            Map<String, Object> p = running.graphql(ServiceName.ATTRIBUTION, admin, "{ rollupRecompute { state ready } }")
                    .extract().path("data.rollupRecompute");
            progress = String.valueOf(p);
            if (Boolean.TRUE.equals(p.get("ready")) && !"RUNNING".equals(p.get("state"))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("rollups not ready in " + timeout + ": " + progress);
    }

    /** Waits until {@code replica}'s /q/metrics count items it applied. */
    private static void awaitApplied(ServiceProcess replica, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(replica.url() + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            double applied = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("closedloop_feeds_applied_total{")) {
                    applied += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            if (applied > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the replica applied nothing in " + timeout);
    }

    /** Waits until attribution's 24 leases are all held, unexpired, by {@code owners} replicas. */
    private static void awaitLeaseOwners(int owners, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String held = "";
        while (System.nanoTime() < deadline) {
            try (Connection c = running.database(ServiceName.ATTRIBUTION);
                 ResultSet r = c.createStatement().executeQuery("select count(*), count(distinct owner) from feed_lease"
                         + " where owner is not null and expires_at > now()")) {
                r.next();
                held = r.getInt(1) + " leases, " + r.getInt(2) + " owners";
                if (r.getInt(1) == 24 && r.getInt(2) == owners) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not " + owners + " owners of the 24 leases in " + timeout + ": " + held);
    }
}
