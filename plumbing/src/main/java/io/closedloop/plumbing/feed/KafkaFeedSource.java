package io.closedloop.plumbing.feed;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.unchecked.Unchecked;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a consumer's pages from the stream's Kafka topic (docs/feeds.md "Kafka"): partition i of the topic holds the
 * items of feed partition i/n in the stream's order, so a page of it is the page the HTTP feed would have served. The
 * position a consumer stores with a page's effects ({@link FeedConsumer}, in the same transaction) is the item's
 * position followed by the topic offset after it ({@code "xid.seq.offset"}): the consumer's database, not Kafka, says
 * where it stands, and the group's committed offsets only show Kafka's tools how far each service has read.
 * <p>
 * A position without an offset (a consumer starting, a replay from the start, a switch from the PostgreSQL transport)
 * and one whose records have expired are read from the producer's HTTP feed, which serves what PostgreSQL holds now,
 * erasures applied, until a page comes back not full; from there on the topic is read from where it ended before that
 * page was read. So a replay never meets an erased person's items still waiting in the topic for its retention to pass.
 */
public final class KafkaFeedSource implements FeedSource {

    private final Vertx vertx;
    private final KafkaFeeds kafka;
    private final String producer;
    private final String group;
    private final FeedSource feed;
    private final Map<String, KafkaConsumer<String, byte[]>> consumers = new ConcurrentHashMap<>();

    /**
     * @param group the consumer's service: its group shows Kafka's tools the offsets read
     * @param feed  the producer's HTTP feed, read where the topic cannot serve a position
     */
    public KafkaFeedSource(Vertx vertx, KafkaFeeds kafka, String producer, String group, FeedSource feed) {
        this.vertx = vertx;
        this.kafka = kafka;
        this.producer = producer;
        this.group = group;
        this.feed = feed;
    }

    @Override
    public Uni<FeedPage> fetch(String stream, FeedPartition partition, String after, int limit) {
        if (partition.count() != kafka.partitions()) {
            return Uni.createFrom().failure(new IllegalStateException("feed partition " + partition + " is not one of the topic's "
                    + kafka.partitions() + " partitions"));
        }
        FeedCursor cursor = FeedCursor.parse(after);
        Long offset = offsetIn(after);
        if (offset == null) {
            return fromFeed(stream, partition, after, limit);
        }
        return blocking(() -> read(stream, partition, cursor, offset, limit))
                .chain(page -> page != null ? Uni.createFrom().item(page) : fromFeed(stream, partition, cursor.toString(), limit));
    }

    /**
     * A page from the HTTP feed; once one is not full, the topic is read on from its end as it stood before that page was
     * read. Every record before that end was relayed before the page was read, so its item was either in the page (or an
     * earlier one) or no longer in PostgreSQL: erased. Skipping them, never searching the topic by position, is what
     * keeps a replay from meeting an erased person's items that still wait in the topic for its retention to pass.
     */
    private Uni<FeedPage> fromFeed(String stream, FeedPartition partition, String after, int limit) {
        return blocking(() -> endOffset(stream, partition)).chain(end -> feed.fetch(stream, partition, after, limit).map(page ->
                // Caught up with the HTTP feed: the position stored with this page carries the offset to go on from.
                page.full(limit) || page.walked() == 0 ? page : new FeedPage(page.items(), page.next() + "." + end, page.walked())));
    }

    /**
     * Up to {@code limit} records from {@code offset}, read until the partition's end as it stood when the read began;
     * null when the topic cannot serve the offset (its records expired, or the topic is not the one the offset was read
     * in: recreated, or its partitions changed), and the HTTP feed serves the position then.
     */
    private FeedPage read(String stream, FeedPartition partition, FeedCursor after, long offset, int limit) {
        TopicPartition topicPartition = new TopicPartition(kafka.topic(producer, stream), partition.index());
        KafkaConsumer<String, byte[]> in = consumer(topicPartition);
        synchronized (in) { // a consumer restarted under a new lease may poll while its older poll still reads
            return read(in, topicPartition, after, offset, limit);
        }
    }

    private FeedPage read(KafkaConsumer<String, byte[]> in, TopicPartition topicPartition, FeedCursor after, long offset, int limit) {
        long end = in.endOffsets(List.of(topicPartition)).get(topicPartition);
        if (offset > end) {
            return null;
        }
        if (offset == end) {
            return new FeedPage(List.of(), after + "." + offset, 0); // nothing new: one request to the broker per idle poll
        }
        if (offset > 0) {
            // Kafka's tools read the group's offsets as how far this service has read (the database holds the truth).
            in.commitAsync(Map.of(topicPartition, new OffsetAndMetadata(offset)), null);
        }
        // An offset whose records expired fails the poll (no automatic reset): the HTTP feed serves the position then.
        in.seek(topicPartition, offset);
        List<FeedItem> items = new ArrayList<>();
        FeedCursor last = after;
        long next = offset;
        int walked = 0;
        long deadline = System.nanoTime() + 2_000_000_000L;
        try {
            while (walked < limit && next < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : in.poll(Duration.ofMillis(100))) {
                    if (walked == limit) {
                        break;
                    }
                    walked++;
                    next = record.offset() + 1;
                    FeedCursor at = cursorOf(record);
                    if (!at.isAfter(last)) {
                        continue; // at or before the position: already applied (a page the relay sent again)
                    }
                    last = at;
                    if (record.value() == null) {
                        continue; // the relay's mark of where a page of the stream ended: walked, nothing to apply
                    }
                    JsonObject item = new JsonObject(Buffer.buffer(record.value()));
                    items.add(new FeedItem(item.getLong("seq"), item.getString("workspace"), item.getString("kind"), item.getJsonObject("payload")));
                }
                if (walked < limit) {
                    // Transaction markers take offsets too: the position moves past them to where the consumer stands.
                    next = Math.max(next, Math.min(in.position(topicPartition), end));
                }
            }
        } catch (OffsetOutOfRangeException e) {
            return null;
        }
        if (next == offset) {
            return new FeedPage(List.of(), last + "." + offset, 0);
        }
        return new FeedPage(items, last + "." + next, Math.max(walked, 1), next < end);
    }

    /** The end offset of each partition of the stream's topic now (0 while the relay has not made the topic): one request. */
    public Uni<long[]> endOffsets(String stream) {
        return blocking(() -> {
            String topic = kafka.topic(producer, stream);
            KafkaConsumer<String, byte[]> in = consumer(new TopicPartition(topic, 0));
            long[] ends = new long[kafka.partitions()];
            synchronized (in) {
                if (in.partitionsFor(topic).isEmpty()) {
                    return ends;
                }
                List<TopicPartition> partitions = new ArrayList<>();
                for (int i = 0; i < ends.length; i++) {
                    partitions.add(new TopicPartition(topic, i));
                }
                in.endOffsets(partitions).forEach((partition, end) -> ends[partition.partition()] = end);
            }
            return ends;
        });
    }

    /** The partition's end offset now (0 while the relay has not made the topic). */
    private long endOffset(String stream, FeedPartition partition) {
        TopicPartition topicPartition = new TopicPartition(kafka.topic(producer, stream), partition.index());
        KafkaConsumer<String, byte[]> in = consumer(topicPartition);
        synchronized (in) {
            if (in.partitionsFor(topicPartition.topic()).isEmpty()) {
                return 0;
            }
            return in.endOffsets(List.of(topicPartition)).get(topicPartition);
        }
    }

    private static FeedCursor cursorOf(ConsumerRecord<String, byte[]> record) {
        return FeedCursor.parse(new String(record.headers().lastHeader(KafkaFeeds.CURSOR_HEADER).value(), StandardCharsets.US_ASCII));
    }

    /** The topic offset a stored position carries ({@code "xid.seq.offset"}), or null. */
    static Long offsetIn(String position) {
        if (position == null) {
            return null;
        }
        int first = position.indexOf('.');
        int second = first < 0 ? -1 : position.indexOf('.', first + 1);
        return second < 0 ? null : Long.parseLong(position.substring(second + 1));
    }

    /** One consumer per stream and partition, used by one page at a time (its FeedConsumer polls one page at a time). */
    private KafkaConsumer<String, byte[]> consumer(TopicPartition partition) {
        return consumers.computeIfAbsent(partition.topic() + "#" + partition.partition(), key -> {
            // A poll returns at most a page of the largest size; read() takes what its page asks for.
            KafkaConsumer<String, byte[]> in = new KafkaConsumer<>(kafka.consumerProperties(group, FeedReader.MAX_LIMIT));
            in.assign(List.of(partition));
            return in;
        });
    }

    private <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        return vertx.executeBlocking(Uni.createFrom().item(Unchecked.supplier(work::get)), false);
    }

    public void close() {
        consumers.values().forEach(in -> {
            synchronized (in) {
                in.close(Duration.ofSeconds(2));
            }
        });
        consumers.clear();
    }
}
