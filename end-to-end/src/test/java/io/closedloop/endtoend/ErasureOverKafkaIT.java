package io.closedloop.endtoend;

import io.closedloop.launcher.ServiceName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: erasure holds over the Kafka transport (docs/feeds.md "Kafka"). ErasureIT's tests run again with the feeds on
 * a real broker: the replay from the start reads PostgreSQL, never the erased items still in the topics, and every
 * database is found clean. And the topics themselves forget an erased person within their retention (20 s here).
 */
class ErasureOverKafkaIT extends ErasureIT {

    private static final Duration RETENTION = Duration.ofSeconds(20);

    /** The same services, their feeds over Kafka. */
    @Override
    RunningSystem startSystem() throws Exception {
        Map<String, String> retention = Map.of("CLOSEDLOOP_KAFKA_RETENTION", RETENTION.toSeconds() + "s");
        return RunningSystem.startOverKafka(1, Map.of(ServiceName.INGESTION, Map.of("CLOSEDLOOP_INGESTION_ERASURE_CHUNK_SIZE", "1",
                        "CLOSEDLOOP_KAFKA_RETENTION", RETENTION.toSeconds() + "s",
                        // 15,000 pages in a few seconds (aConsumerBehindOnItsTopics...)
                        "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_PER_SECOND", "1000000", "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_BURST", "1000000"), ServiceName.IDENTITY, retention),
                ServiceName.values());
    }

    @Test
    void anErasedPersonsItemsLeaveTheTopicsWithinTheirRetention() throws Exception {
        String ws = "kerase" + UUID.randomUUID().toString().substring(0, 8);
        String email = "kafka.erase." + UUID.randomUUID().toString().substring(0, 8) + "@erasetest-corp.example";
        String key = writeKey(ws);
        segment(key, "/v1/identify", "{\"messageId\":\"k-id\",\"anonymousId\":\"k-anon-x7\",\"traits\":{\"email\":\"" + email
                + "\"},\"timestamp\":\"2026-03-01T10:00:00Z\"}");
        segment(key, "/v1/page", "{\"messageId\":\"k-pg\",\"anonymousId\":\"k-anon-x7\",\"properties\":{\"url\":"
                + "\"https://erasetest-corp.example/?email=" + email + "\"},\"timestamp\":\"2026-03-01T10:01:00Z\"}");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (topicsHolding(email).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the relay put the person's items in the topics");
            Thread.sleep(200);
        }

        awaitErasure(ws, erase(ws, "email", email));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, running.kafka.bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "closedloop.ingestion.touches");
            Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertEquals(Long.toString(RETENTION.toMillis()), config.get("retention.ms").value());
        }
        // Retention deletes whole segments (rolled every quarter of it, 10 s at the shortest) once their newest item is older than it.
        deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        List<String> holding;
        while (!(holding = topicsHolding(email)).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the topics still hold the erased person: " + holding);
            Thread.sleep(5000);
        }
    }

    /**
     * Attribution is down while a person's visits reach the topics and the person is erased: when it comes back, its
     * touches partitions still hold the visits (read from the offsets it had stored), and the erasure, read on another
     * topic, may come first. It is applied only once the touches were read past it (ErasureGate), so it removes them.
     */
    @Test
    void aConsumerBehindOnItsTopicsAppliesAnErasureOnlyAfterThePersonsItems() throws Exception {
        String ws = "klag" + UUID.randomUUID().toString().substring(0, 8);
        String email = "kafka.lag." + UUID.randomUUID().toString().substring(0, 8) + "@erasetest-corp.example";
        String anonymous = "k-lag-" + UUID.randomUUID().toString().substring(0, 8) + "-x7";
        String key = writeKey(ws);
        // Attribution reads the touches topic (not the HTTP feed) when it stops: its position carries a topic offset.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; !touchesPosition().matches("\\d+\\.\\d+\\.\\d+"); i++) {
            assertTrue(System.nanoTime() < deadline, "attribution reads the touches topic: at " + touchesPosition());
            segment(key, "/v1/page", "{\"messageId\":\"warm-" + i + "\",\"anonymousId\":\"warm-visitor\",\"properties\":{\"url\":"
                    + "\"https://erasetest-corp.example/\"},\"timestamp\":\"2026-03-01T08:00:00Z\"}");
            Thread.sleep(500);
        }
        running.awaitConsumersCaughtUp(Duration.ofSeconds(120));
        running.system.service(ServiceName.ATTRIBUTION).stop();
        // Other visitors' pages first: attribution comes back with 15,000 touches to read before the person's,
        // while the erasure is one item on its own topic.
        for (int batch = 0; batch < 150; batch++) {
            StringBuilder messages = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                messages.append(i == 0 ? "" : ",").append("{\"type\":\"page\",\"messageId\":\"f-").append(batch).append('-').append(i)
                        .append("\",\"anonymousId\":\"filler-").append(batch * 100 + i).append("\",\"properties\":{\"url\":")
                        .append("\"https://erasetest-corp.example/?utm_source=bing&utm_medium=cpc\"},\"timestamp\":\"2026-03-01T09:00:00Z\"}");
            }
            segment(key, "/v1/batch", "{\"batch\":[" + messages + "]}");
        }
        segment(key, "/v1/identify", "{\"messageId\":\"l-id\",\"anonymousId\":\"" + anonymous + "\",\"traits\":{\"email\":\""
                + email + "\"},\"timestamp\":\"2026-03-02T10:00:00Z\"}");
        for (int i = 0; i < 20; i++) {
            segment(key, "/v1/page", "{\"messageId\":\"l-pg-" + i + "\",\"anonymousId\":\"" + anonymous + "\",\"properties\":{\"url\":"
                    + "\"https://erasetest-corp.example/p" + i + "?utm_source=google&utm_medium=cpc\"},\"timestamp\":\"2026-03-02T10:0"
                    + (i % 10) + ":00Z\"}");
        }
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (topicsHolding(anonymous).size() < 21) {
            assertTrue(System.nanoTime() < deadline, "the relay put the visits in the topics: " + topicsHolding(anonymous));
            Thread.sleep(200);
        }
        String job = erase(ws, "email", email);
        deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!"DONE".equals(graphql(ServiceName.GATEWAY, running.token(ws, "admin"), "{ erasure(id: \"" + job + "\") { services"
                + " { service state } } }").path("data").path("erasure").path("services").get(0).path("state").asText())) {
            assertTrue(System.nanoTime() < deadline, "ingestion erased the person");
            Thread.sleep(200);
        }

        running.system.service(ServiceName.ATTRIBUTION).start();
        running.system.service(ServiceName.ATTRIBUTION).awaitReady(Duration.ofSeconds(120));
        awaitErasure(ws, job);
        running.awaitConsumersCaughtUp(Duration.ofSeconds(120));
        assertEquals(List.of(), scan(List.of(anonymous, email)), "the person's visits, applied after the erasure");
        assertTrue(java.nio.file.Files.readString(running.system.service(ServiceName.ATTRIBUTION).log()).contains("waits until"),
                "the erasure came before the touches were read past it, and waited");
    }

    private static String touchesPosition() throws java.sql.SQLException {
        try (java.sql.Connection c = running.database(ServiceName.ATTRIBUTION);
             java.sql.ResultSet r = c.createStatement().executeQuery("select coalesce(max(cursor), '') from feed_position"
                     + " where stream = 'ingestion/touches'")) {
            r.next();
            return r.getString(1);
        }
    }

    /** The topics (and partitions) one of whose items contains {@code value}, read from the start. */
    private static List<String> topicsHolding(String value) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, running.kafka.bootstrapServers());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> holding = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> in = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            in.listTopics().forEach((topic, infos) -> {
                if (topic.startsWith("closedloop.")) {
                    infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                }
            });
            in.assign(partitions);
            in.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = in.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> in.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : in.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && new String(record.value(), StandardCharsets.UTF_8).contains(value)) {
                        holding.add(record.topic() + "#" + record.partition() + "@" + record.offset());
                    }
                }
            }
        }
        return holding;
    }
}
