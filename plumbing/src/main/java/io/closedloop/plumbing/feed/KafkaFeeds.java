package io.closedloop.plumbing.feed;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * The Kafka transport of the feeds ({@code closedloop.feeds.transport=kafka}, docs/feeds.md "Kafka"): one topic per
 * producer and stream, {@code closedloop.<producer>.<stream>}, with as many partitions as the feeds are read in
 * ({@code closedloop.feeds.partitions}): the topic's partition i holds exactly the items of feed partition i/n.
 *
 * @param retention how long a topic keeps an item: the most an erased person's items stay in Kafka (never read again by
 *                  the product: a replay reads PostgreSQL, {@link KafkaFeedSource}); also how far behind a consumer may
 *                  fall before it reads PostgreSQL instead
 */
public record KafkaFeeds(String bootstrapServers, int partitions, Duration retention, short replicationFactor) {

    /** The header holding an item's position in its stream ("xid.seq"), which orders and deduplicates it. */
    public static final String CURSOR_HEADER = "cursor";

    public KafkaFeeds {
        if (partitions < 1 || partitions > FeedPartition.MAX_COUNT) {
            throw new IllegalArgumentException("closedloop.feeds.partitions: must be 1 to " + FeedPartition.MAX_COUNT + ", was " + partitions);
        }
    }

    /**
     * The Kafka transport as configured, or empty for the PostgreSQL transport: {@code closedloop.feeds.transport}
     * ({@code postgresql}, the default, or {@code kafka}), {@code closedloop.kafka.bootstrap-servers},
     * {@code closedloop.feeds.partitions}, {@code closedloop.kafka.retention} (24h) and
     * {@code closedloop.kafka.replication-factor} (1).
     */
    public static Optional<KafkaFeeds> configured() {
        Config config = ConfigProvider.getConfig();
        String transport = config.getOptionalValue("closedloop.feeds.transport", String.class).orElse("postgresql");
        if (transport.equals("postgresql")) {
            return Optional.empty();
        }
        if (!transport.equals("kafka")) {
            throw new IllegalArgumentException("closedloop.feeds.transport: must be postgresql or kafka, was " + transport);
        }
        return Optional.of(new KafkaFeeds(config.getOptionalValue("closedloop.kafka.bootstrap-servers", String.class).orElse("localhost:9092"),
                config.getOptionalValue("closedloop.feeds.partitions", Integer.class).orElse(1),
                config.getOptionalValue("closedloop.kafka.retention", Duration.class).orElse(Duration.ofHours(24)),
                config.getOptionalValue("closedloop.kafka.replication-factor", Short.class).orElse((short) 1)));
    }

    public String topic(String producer, String stream) {
        return "closedloop." + producer + "." + stream;
    }

    /** The topic's partition of an item whose partition hash (docs/feeds.md) is {@code hash}: the same as the HTTP feed's. */
    public int partitionOf(int hash) {
        return hash % partitions;
    }

    /** A transactional producer: each relayed page is one transaction, {@code transactionalId} fencing out older relays. */
    Properties producerProperties(String clientId, String transactionalId) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return properties;
    }

    /**
     * A consumer that is assigned its partitions (the replica's leases decide which, not the group coordinator) and
     * whose offsets live in the consumer's database; the group only shows Kafka's tools how far each service has read.
     */
    Properties consumerProperties(String group, int maxRecords) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // Only committed relay pages (an aborted page's records are passed over); end offsets are the last stable ones.
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxRecords);
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        // A page waiting on a broker that is down fails in 10 s and is tried again, instead of holding its page
        // transaction (and worker thread) for the default minute.
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return properties;
    }

    /**
     * Creates the topic if it is missing (a Strimzi {@code KafkaTopic} may have made it), and checks that it has the
     * partitions the feeds are read in: any other count would put items where no consumer looks for them.
     */
    void ensureTopic(Admin admin, String topic) throws InterruptedException, ExecutionException {
        NewTopic wanted = new NewTopic(topic, partitions, replicationFactor).configs(Map.of(
                "retention.ms", Long.toString(retention.toMillis()),
                // Retention deletes whole segments: a segment rolls at least this often, so an item is gone at most a
                // quarter of the retention after it expired.
                "segment.ms", Long.toString(Math.max(10_000, retention.toMillis() / 4)),
                "cleanup.policy", "delete"));
        try {
            admin.createTopics(List.of(wanted)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        if (described.partitions().size() != partitions) {
            throw new IllegalStateException("topic " + topic + " has " + described.partitions().size()
                    + " partitions, closedloop.feeds.partitions is " + partitions + ": they must be equal");
        }
    }

    Properties adminProperties() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }
}
