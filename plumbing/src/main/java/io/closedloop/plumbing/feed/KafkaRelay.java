package io.closedloop.plumbing.feed;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outbox relay of the Kafka transport (docs/feeds.md "Kafka"): copies a producer's committed stream rows, in the
 * order the HTTP feed serves them (the {@code xid}/{@code seq} horizon of {@link FeedReader}: a row is relayed only once
 * every transaction that could precede it has ended), to the stream's topic, each item in the partition its partition
 * key hashes to and with its position in a header; every other partition gets a mark (a record without a value) of
 * where the page ended.
 * <p>
 * A page is one Kafka transaction: consumers (read_committed) see all of it or, when a send failed, none, and the relay
 * starts again from where it stood. Where it stands is stored in {@code feed_relay(stream, cursor)} after the commit; a
 * crash between the two sends the page again, whose items consumers pass over by their position.
 * <p>
 * One replica of the producer relays at a time: the holder of a PostgreSQL advisory lock, taken by a session of its own
 * (a replica that dies loses it with its connection), and the transactional id fences out an older relay still
 * sending. From reading a page to its commit the relay also holds {@link #PAGES_LOCK} shared: an erasure takes it
 * exclusively before it deletes ({@link #awaitPagesInFlight}), so that everything of the person relayed before is in the
 * topics when the erasure is announced, and nothing is relayed after (ErasureGate relies on both).
 * Chosen over change data capture (Debezium): the streams already are SELECTs that build the documented payloads in
 * commit-safe order, so the relay is a feed consumer that writes to Kafka, with nothing more to run.
 */
public final class KafkaRelay {

    private static final int PAGE = FeedReader.MAX_LIMIT;
    /** Held shared by the relay from a page's read to its commit, exclusively by an erasure's deleting transaction. */
    static final long PAGES_LOCK = "closedloop.relay.pages".hashCode();
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

    /** The producer's relay, started, when the Kafka transport is configured ({@link KafkaFeeds#configured()}). */
    public static Optional<KafkaRelay> startIfConfigured(Pool pool, String producer, Map<String, FeedReader> streams) {
        return KafkaFeeds.configured().map(kafka -> {
            KafkaRelay relay = new KafkaRelay(pool, kafka, producer, streams);
            relay.start();
            return relay;
        });
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
                    try { // the connection goes back to the pool: its session, and a lock it still held, would live on
                        lock.query("select pg_advisory_unlock_all()").execute().await().atMost(Duration.ofSeconds(10));
                    } catch (RuntimeException e) {
                        // a broken session: its locks ended with it
                    }
                    lock.closeAndForget();
                }
            }
            sleep(1000);
        }
    }

    /** Relays every stream, a page each in turn, while this session holds the lock. */
    private void relay(SqlConnection lock) {
        KafkaProducer<String, byte[]> out = new KafkaProducer<>(kafka.producerProperties("relay-" + producer, "closedloop-relay-" + producer));
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            out.initTransactions();
            Map<String, StreamState> states = new HashMap<>();
            for (String stream : streams.keySet()) {
                String topic = kafka.topic(producer, stream);
                kafka.ensureTopic(admin, topic);
                states.put(stream, new StreamState(topic, storedPosition(stream)));
            }
            while (running) {
                int relayed = 0;
                for (Map.Entry<String, StreamState> entry : states.entrySet()) {
                    // Shared with the other pages, exclusive of an erasure's deletes; asking for it also checks that
                    // this session, and the relay's lock with it, is still alive.
                    lock.preparedQuery("select pg_advisory_lock_shared($1)").execute(Tuple.of(PAGES_LOCK)).await().atMost(Duration.ofSeconds(60));
                    relayed += relayPage(out, entry.getKey(), entry.getValue());
                    // Only after a commit: a page that failed may still be committing until the producer is closed,
                    // and run() gives the lock back after that (pg_advisory_unlock_all).
                    lock.preparedQuery("select pg_advisory_unlock_shared($1)").execute(Tuple.of(PAGES_LOCK)).await().atMost(Duration.ofSeconds(10));
                }
                if (relayed == 0) {
                    sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } finally {
            out.close(Duration.ofSeconds(30));
        }
    }

    private int relayPage(KafkaProducer<String, byte[]> out, String stream, StreamState state) {
        List<FeedReader.StreamRecord> records = streams.get(stream).readRecords(pool, state.position, PAGE)
                .await().atMost(Duration.ofSeconds(60));
        if (records.isEmpty()) {
            return 0;
        }
        FeedCursor end = records.get(records.size() - 1).cursor();
        int withEnd = kafka.partitionOf(records.get(records.size() - 1).hash());
        out.beginTransaction();
        try {
            for (FeedReader.StreamRecord record : records) {
                out.send(new ProducerRecord<>(state.topic, kafka.partitionOf(record.hash()), record.key(), record.item().getBytes(),
                        List.of(cursorHeader(record.cursor()))));
            }
            // Every partition moves to where the page ended, as the HTTP feed's walk does, whatever it held of it.
            for (int partition = 0; partition < kafka.partitions(); partition++) {
                if (partition != withEnd) {
                    out.send(new ProducerRecord<String, byte[]>(state.topic, partition, (String) null, (byte[]) null, List.of(cursorHeader(end))));
                }
            }
            out.commitTransaction(); // throws when any send failed: nothing of the page is visible then
        } catch (RuntimeException e) {
            try {
                out.abortTransaction();
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
        state.position = end;
        pool.preparedQuery("insert into feed_relay (stream, cursor) values ($1, $2)"
                        + " on conflict (stream) do update set cursor = excluded.cursor")
                .execute(Tuple.of(stream, end.toString())).await().atMost(Duration.ofSeconds(30));
        return records.size();
    }

    /**
     * For an erasure's deleting transaction: waits until no page is being relayed, and keeps the relay from reading one
     * until the transaction ends (a transaction-level advisory lock; immediate without the Kafka transport).
     */
    public static Uni<Void> awaitPagesInFlight(SqlConnection transaction) {
        return transaction.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(PAGES_LOCK)).replaceWithVoid();
    }

    private static Header cursorHeader(FeedCursor cursor) {
        return new RecordHeader(KafkaFeeds.CURSOR_HEADER, cursor.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private FeedCursor storedPosition(String stream) {
        var rows = pool.preparedQuery("select cursor from feed_relay where stream = $1").execute(Tuple.of(stream))
                .await().atMost(Duration.ofSeconds(30));
        return rows.size() == 0 ? FeedCursor.START : FeedCursor.parse(rows.iterator().next().getString(0));
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

        StreamState(String topic, FeedCursor position) {
            this.topic = topic;
            this.position = position;
        }
    }
}
