package io.closedloop.endtoend;

import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.KafkaBroker;
import io.closedloop.launcher.DevTokens;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.testing.GraphQlCalls;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.launcher.testing.TestPostgres;
import io.restassured.response.ValidatableResponse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole system for one test class: the four packaged services as processes on free ports
 * against the test run's PostgreSQL, each with fresh databases.
 */
final class RunningSystem implements AutoCloseable {

    final ClosedLoopSystem system;
    private final String databasePrefix;
    /** The broker the feeds run over ({@link #startOverKafka}); null over PostgreSQL. */
    final KafkaBroker kafka;

    private RunningSystem(ClosedLoopSystem system, String databasePrefix) {
        this(system, databasePrefix, null);
    }

    private RunningSystem(ClosedLoopSystem system, String databasePrefix, KafkaBroker kafka) {
        this.system = system;
        this.databasePrefix = databasePrefix;
        this.kafka = kafka;
    }

    /** A JDBC connection (as the server's superuser) to a service's database. */
    java.sql.Connection database(ServiceName service) throws java.sql.SQLException {
        return TestPostgres.server().connectAsAdmin(databasePrefix + service.database());
    }

    static RunningSystem start() throws Exception {
        return start(Map.of());
    }

    /** The four services, with environment variables for some of them (settings overridden for a test). */
    static RunningSystem start(Map<ServiceName, Map<String, String>> environment) throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        for (ServiceName s : ServiceName.values()) {
            Path jar = root.resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: run the whole build (./mvnw verify) so the services are packaged first");
            }
        }
        String prefix = "e2e_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        ClosedLoopSystem system = ClosedLoopSystem.on(root, TestPostgres.server(), false, TestKeys.keys(), prefix);
        Map<ServiceName, Integer> freePorts = Map.of(ServiceName.INGESTION, 0, ServiceName.IDENTITY, 0,
                ServiceName.ATTRIBUTION, 0, ServiceName.GATEWAY, 0);
        environment.forEach((service, variables) -> variables.forEach((name, value) -> system.environment(service, name, value)));
        startOrStopAll(system, EnumSet.allOf(ServiceName.class), freePorts, prefix);
        return new RunningSystem(system, prefix);
    }

    /** Only {@code which} of the services (each with a fresh database), for tests that need no more. */
    static RunningSystem startOnly(ServiceName... which) throws Exception {
        return startOnly(Map.of(), which);
    }

    /** Only {@code which}, with environment variables for some of them. */
    static RunningSystem startOnly(Map<ServiceName, Map<String, String>> environment, ServiceName... which) throws Exception {
        return startOnly("e2e_" + UUID.randomUUID().toString().substring(0, 8) + "_", null, 1, environment, which);
    }

    /**
     * Only {@code which}, their feeds over a Kafka broker of their own (KRaft, fresh data, free ports) read in
     * {@code partitions} partitions, with environment variables for some of them.
     */
    static RunningSystem startOverKafka(int partitions, Map<ServiceName, Map<String, String>> environment, ServiceName... which)
            throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        String prefix = "e2e_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        KafkaBroker kafka = KafkaBroker.start(root, Path.of("target", "kafka", prefix).toAbsolutePath(), ClosedLoopSystem.freePort(),
                ClosedLoopSystem.freePort(), Path.of("target", "service-logs", prefix).resolve("kafka.log"));
        try {
            return startOnly(prefix, kafka, partitions, environment, which);
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
    }

    private static RunningSystem startOnly(String prefix, KafkaBroker kafka, int partitions,
                                           Map<ServiceName, Map<String, String>> environment, ServiceName... which) throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        ClosedLoopSystem system = ClosedLoopSystem.on(root, TestPostgres.server(), false, TestKeys.keys(), prefix);
        if (kafka != null) {
            system.feedsOverKafka(kafka.bootstrapServers(), partitions);
        }
        Map<ServiceName, Integer> freePorts = new java.util.EnumMap<>(ServiceName.class);
        for (ServiceName s : ServiceName.values()) {
            freePorts.put(s, 0);
        }
        environment.forEach((service, variables) -> variables.forEach((name, value) -> system.environment(service, name, value)));
        startOrStopAll(system, EnumSet.copyOf(List.of(which)), freePorts, prefix);
        return new RunningSystem(system, prefix, kafka);
    }

    /** Starts {@code which}; when one does not come up, stops the ones that did (no process outlives a failed test). */
    private static void startOrStopAll(ClosedLoopSystem system, EnumSet<ServiceName> which, Map<ServiceName, Integer> ports, String prefix)
            throws Exception {
        try {
            system.start(which, ports, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), Path.of("target", "service-logs", prefix));
        } catch (Exception | Error e) {
            try {
                system.close();
            } catch (Exception stopping) {
                e.addSuppressed(stopping);
            }
            throw e;
        }
    }

    /** An operator's {@code service} token: reads every feed of every workspace. */
    String serviceToken() {
        return DevTokens.of(TestKeys.keys()).mintService("e2e", ServiceName.allFeeds(), Duration.ofHours(1));
    }

    String url(ServiceName service) {
        return system.service(service).url();
    }

    String token(String workspace, String... roles) {
        return DevTokens.of(TestKeys.keys()).mint("e2e", workspace, List.of(roles), Duration.ofHours(1));
    }

    ValidatableResponse graphql(ServiceName service, String token, String query) {
        return GraphQlCalls.graphql(url(service), token, query);
    }

    /**
     * Waits until identity and attribution have read every feed to its end: each consumer's stored position is at or
     * past the producer's last cursor (read as a consumer does, with an operator's token), and that end has not moved
     * since. A feed shows only transactions older than the oldest one still running, so an end read while another
     * transaction is open can fall short of what is committed; it is read again once the consumer has reached it.
     */
    void awaitConsumersCaughtUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ServiceName consumer : List.of(ServiceName.IDENTITY, ServiceName.ATTRIBUTION)) {
            for (String feed : consumer.feedsRead()) {
                String end = feedEnd(feed);
                while (true) {
                    String at = position(consumer, feed);
                    if (!before(at, end)) {
                        String again = feedEnd(feed);
                        if (again.equals(end)) {
                            break;
                        }
                        end = again;
                    } else if (System.nanoTime() > deadline) {
                        throw new AssertionError(consumer + " did not catch up with " + feed + " in " + timeout + ": at "
                                + at + ", end " + end);
                    } else {
                        Thread.sleep(200);
                    }
                }
            }
        }
    }

    /** Whether cursor {@code a} ("xid.seq", "" at the start) comes before cursor {@code b}. */
    private static boolean before(String a, String b) {
        if (b.isEmpty()) {
            return false;
        }
        if (a.isEmpty()) {
            return true;
        }
        String[] x = a.split("\\."), y = b.split("\\.");
        int byXid = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return byXid != 0 ? byXid < 0 : Long.parseLong(x[1]) < Long.parseLong(y[1]);
    }

    /**
     * A consumer's stored position in a feed ("producer/stream"); "" before its first page. Read in partitions
     * ("producer/stream#i/n"), the slowest partition's.
     */
    String position(ServiceName consumer, String feed) throws java.sql.SQLException {
        try (java.sql.Connection c = database(consumer);
             java.sql.PreparedStatement s = c.prepareStatement("select stream, cursor from feed_position where stream = ? or stream like ?")) {
            s.setString(1, feed);
            s.setString(2, feed + "#%");
            String whole = "";
            String slowest = null;
            try (java.sql.ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String at = r.getString(2) == null ? "" : r.getString(2);
                    if (r.getString(1).equals(feed)) {
                        whole = at;
                    } else if (slowest == null || before(at, slowest)) {
                        slowest = at;
                    }
                }
            }
            return slowest != null ? slowest : whole;
        }
    }

    /** The cursor after the last item of a producer's feed ("producer/stream"). */
    String feedEnd(String feed) throws Exception {
        return readFeed(feed)[0];
    }

    /** How many items a producer's feed ("producer/stream") holds now. */
    long feedItems(String feed) throws Exception {
        return Long.parseLong(readFeed(feed)[1]);
    }

    /** The feed read to its end: the cursor after its last item, and its number of items. */
    private String[] readFeed(String feed) throws Exception {
        ServiceName producer = feed.startsWith("identity/") ? ServiceName.IDENTITY : ServiceName.INGESTION;
        String stream = feed.substring(feed.indexOf('/') + 1);
        String after = "";
        long items = 0;
        // HTTP/1.1: the JDK client's h2c upgrade misreads a large answer now and then ("Frame type(111) ... exceeds
        // MAX_FRAME_SIZE"), and a feed page of 10,000 items is megabytes.
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        while (true) {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(url(producer) + "/feeds/" + stream + "?limit=10000&after=" + after))
                    .header("Authorization", "Bearer " + serviceToken()).build();
            com.fasterxml.jackson.databind.JsonNode page = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            if (page.path("items").isEmpty()) {
                return new String[] {after, Long.toString(items)};
            }
            items += page.path("items").size();
            after = page.path("next").asText();
        }
    }

    @Override
    public void close() throws Exception {
        system.close();
        if (kafka != null) {
            kafka.close();
        }
    }
}
