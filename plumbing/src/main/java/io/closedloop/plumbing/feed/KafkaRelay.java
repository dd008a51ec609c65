package io.closedloop.plumbing.feed;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * The outbox relay of the Kafka transport (docs/feeds.md "Kafka"): copies a producer's committed stream rows, in the
 * order the HTTP feed serves them (the {@code xid}/{@code seq} horizon of {@link FeedReader}: a row is relayed only once
 * every transaction that could precede it has ended), to the stream's topic, each item in the partition its partition
 * key hashes to and with its position in a header; after each page, every partition that did not get the page's last
 * item gets a mark (a record without a value) of where the page ended.
 * <p>
 * One replica of the producer relays at a time: the holder of a PostgreSQL advisory lock, held by a session of its own
 * (a replica that dies loses it with its connection). Where it stands is stored in {@code feed_relay(stream, cursor)}
 * after Kafka acknowledged a page; a relay that starts again (a crash between the acknowledgement and that store) reads
 * each partition's last record and sends only what lies after it, so each partition holds its items once and in order.
 * Chosen over change data capture (Debezium): the streams are already SELECTs that build the documented payloads in
 * commit-safe order, so the relay is a feed consumer that writes to Kafka, with nothing more to run.
 */
public final class KafkaRelay {

    private static final int PAGE = FeedReader.MAX_LIMIT;
    // Not io.quarkus.logging.Log: Quarkus rewrites the classes that call it, which needs the Kafka client on the class
    // path of every service using plumbing (the gateway has none).
    private static final Logger LOG = Logger.getLogger(KafkaRelay.class);

    private final Pool pool;
    private final KafkaFeeds kafka;
    private final String producer;
    private final Map<String, FeedReader> streams;
    private final long lockKey;
    private volatile boolean running;
    private volatile boolean leader;
    private Thread thread;

    public KafkaRelay(Pool pool, KafkaFeeds kafka, String producer, Map<String, FeedReader> streams) {
        this.pool = pool;
        this.kafka = kafka;
        this.producer = producer;
        this.streams = streams;
        this.lockKey = ("closedloop.relay." + producer).hashCode();
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "kafka-relay-" + producer);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        Thread relay;
        synchronized (this) {
            relay = thread;
        }
        if (relay != null) {
            relay.interrupt();
            try {
                relay.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True while this replica holds the relay's lock and relays. */
    public boolean leader() {
        return leader;
    }

    private void run() {
        while (running) {
            SqlConnection lock = null;
            try {
                lock = pool.getConnection().await().atMost(Duration.ofSeconds(30));
                Boolean held = lock.preparedQuery("select pg_try_advisory_lock($1)").execute(Tuple.of(lockKey))
                        .await().atMost(Duration.ofSeconds(30)).iterator().next().getBoolean(0);
                if (Boolean.TRUE.equals(held)) {
                    leader = true;
                    LOG.infof("relaying %s's streams %s to Kafka at %s", producer, streams.keySet(), kafka.bootstrapServers());
                    relay(lock);
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("Kafka relay of %s: %s; starting again in 1 s", producer, e.getMessage());
                }
            } finally {
                leader = false;
                if (lock != null) {
                    lock.closeAndForget(); // ends the session's advisory lock with it
                }
            }
            sleep(1000);
        }
    }

    /** Relays every stream, a page each in turn, while this session holds the lock. */
    private void relay(SqlConnection lock) {
        try (Admin admin = Admin.create(kafka.adminProperties());
             KafkaProducer<String, byte[]> out = new KafkaProducer<>(kafka.producerProperties("relay-" + producer))) {
            Map<String, StreamState> states = new HashMap<>();
            for (String stream : streams.keySet()) {
                String topic = kafka.topic(producer, stream);
                kafka.ensureTopic(admin, topic);
                states.put(stream, new StreamState(topic, storedPosition(stream), lastCursors(topic)));
            }
            long checked = System.nanoTime();
            while (running) {
                int relayed = 0;
                for (Map.Entry<String, StreamState> entry : states.entrySet()) {
                    relayed += relayPage(out, entry.getKey(), entry.getValue());
                }
                if (System.nanoTime() - checked > 1_000_000_000L) {
                    // The lock is the session's: the session answering means this replica still holds it.
                    lock.query("select 1").execute().await().atMost(Duration.ofSeconds(10));
                    checked = System.nanoTime();
                }
                if (relayed == 0) {
                    sleep(20);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private int relayPage(KafkaProducer<String, byte[]> out, String stream, StreamState state)
            throws InterruptedException, java.util.concurrent.ExecutionException {
        List<FeedReader.StreamRecord> records = streams.get(stream).readRecords(pool, state.position, PAGE)
                .await().atMost(Duration.ofSeconds(60));
        if (records.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size() + state.last.length);
        for (FeedReader.StreamRecord record : records) {
            int partition = kafka.partitionOf(record.hash());
            if (!record.cursor().isAfter(state.last[partition])) {
                continue; // relayed before a crash kept the position from being stored
            }
            sent.add(out.send(new ProducerRecord<>(state.topic, partition, record.key(), record.item().getBytes(),
                    List.of(cursorHeader(record.cursor())))));
            state.last[partition] = record.cursor();
        }
        // Every partition is marked with where the page ended (a record without a value): a consumer of the partition
        // stores that position as the HTTP feed's would stand after the same page, whatever the other partitions held.
        FeedCursor end = records.get(records.size() - 1).cursor();
        for (int partition = 0; partition < state.last.length; partition++) {
            if (end.isAfter(state.last[partition])) {
                sent.add(out.send(new ProducerRecord<String, byte[]>(state.topic, partition, (String) null, (byte[]) null, List.of(cursorHeader(end)))));
                state.last[partition] = end;
            }
        }
        out.flush();
        for (Future<RecordMetadata> acknowledged : sent) {
            acknowledged.get();
        }
        state.position = end;
        pool.preparedQuery("insert into feed_relay (stream, cursor) values ($1, $2)"
                        + " on conflict (stream) do update set cursor = excluded.cursor")
                .execute(Tuple.of(stream, state.position.toString())).await().atMost(Duration.ofSeconds(30));
        return records.size();
    }

    private static Header cursorHeader(FeedCursor cursor) {
        return new RecordHeader(KafkaFeeds.CURSOR_HEADER, cursor.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private FeedCursor storedPosition(String stream) {
        var rows = pool.preparedQuery("select cursor from feed_relay where stream = $1").execute(Tuple.of(stream))
                .await().atMost(Duration.ofSeconds(30));
        return rows.size() == 0 ? FeedCursor.START : FeedCursor.parse(rows.iterator().next().getString(0));
    }

    /** The position of each partition's last record ({@link FeedCursor#START} for an empty one). */
    private FeedCursor[] lastCursors(String topic) {
        FeedCursor[] last = new FeedCursor[kafka.partitions()];
        Arrays.fill(last, FeedCursor.START);
        try (KafkaConsumer<String, byte[]> in = new KafkaConsumer<>(kafka.consumerProperties("relay-" + producer, 1))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int i = 0; i < last.length; i++) {
                partitions.add(new TopicPartition(topic, i));
            }
            in.assign(partitions);
            Map<TopicPartition, Long> ends = in.endOffsets(partitions);
            Map<TopicPartition, Long> starts = in.beginningOffsets(partitions);
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition);
                if (end > starts.get(partition)) {
                    in.seek(partition, end - 1);
                } else {
                    in.pause(List.of(partition)); // empty, or every record expired: the stored position says what was sent
                }
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            int wanted = (int) partitions.stream().filter(p -> !in.paused().contains(p)).count();
            while (wanted > 0 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : in.poll(Duration.ofMillis(200))) {
                    if (record.offset() == ends.get(new TopicPartition(topic, record.partition())) - 1) {
                        last[record.partition()] = FeedCursor.parse(new String(record.headers().lastHeader(KafkaFeeds.CURSOR_HEADER).value(),
                                StandardCharsets.US_ASCII));
                        in.pause(List.of(new TopicPartition(topic, record.partition())));
                        wanted--;
                    }
                }
            }
            if (wanted > 0) {
                throw new IllegalStateException("topic " + topic + ": the last records of " + wanted + " partitions were not read in 30 s");
            }
        }
        return last;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class StreamState {
        final String topic;
        FeedCursor position;
        final FeedCursor[] last;

        StreamState(String topic, FeedCursor position, FeedCursor[] last) {
            this.topic = topic;
            this.position = position;
            this.last = last;
        }
    }
}
