package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.util.List;

/**
 * Follows one stream (or one partition of it) of another service: fetches a page, applies it with {@code handler} and
 * stores the new position in the same transaction, so a crash or restart resumes exactly where the last committed page
 * ended and a reset to the start rebuilds the same state (DESIGN §2). Positions live in the consumer's table
 * {@code feed_position(stream text primary key, cursor text, epoch bigint)}.
 * <p>
 * Started under a lease ({@link FeedLeases}), the consumer is fenced: it first claims its position row with the lease's
 * epoch, and each page's position is written only while the row still holds that epoch. A replica that lost the lease
 * (expired while it was stalled, taken over meanwhile) has its page rolled back instead of applied a second time.
 */
public final class FeedConsumer {

    /** Applies one page's items inside the consumer's transaction. */
    @FunctionalInterface
    public interface PageHandler {
        Uni<Void> apply(SqlConnection transaction, List<FeedItem> items);

        /** The page as fetched: {@code full} when it walked as many items as asked for (more may be waiting). */
        default Uni<Void> apply(SqlConnection transaction, List<FeedItem> items, boolean full) {
            return apply(transaction, items);
        }
    }

    /** The position row holds a newer epoch than this consumer's: another replica owns the partition now. */
    public static final class LeaseLostException extends IllegalStateException {
        LeaseLostException(String positionKey, long epoch) {
            super("feed " + positionKey + ": lease of epoch " + epoch + " lost to a newer owner; page not applied");
        }
    }

    /** The epoch of a consumer started without a lease: its position writes are not fenced. */
    static final long UNFENCED = -1;

    private final Vertx vertx;
    private final Pool pool;
    private final FeedClient client;
    private final String stream;
    private final FeedPartition partition;
    private final String baseKey;
    private final String positionKey;
    private final int pageSize;
    private final long idleMillis;
    private final PageHandler handler;
    private volatile boolean running;
    private volatile int generation;
    private volatile long epoch = UNFENCED;
    /** The position after the last page applied or walked past; null until claimed or read. */
    private volatile String cursor;
    private volatile String lastError;
    private volatile long itemsApplied;
    private volatile boolean caughtUp;
    /** System.nanoTime() of the first refusal of the current run of refused attempts; 0 otherwise. */
    private volatile long refusedSince;

    /**
     * @param positionKey where the position is stored (usually the producer and stream, e.g. "ingestion/touches")
     * @param idleMillis  how long to wait after an empty page before polling again
     */
    public FeedConsumer(Vertx vertx, Pool pool, FeedClient client, String stream, String positionKey,
                        int pageSize, long idleMillis, PageHandler handler) {
        this(vertx, pool, client, stream, positionKey, FeedPartition.ALL, pageSize, idleMillis, handler);
    }

    /**
     * A consumer of one partition of the stream: its position is stored under {@code positionKey#i/n} (the whole
     * stream's under {@code positionKey}), starting, when it has none, from the slowest position stored for the stream.
     */
    public FeedConsumer(Vertx vertx, Pool pool, FeedClient client, String stream, String positionKey, FeedPartition partition,
                        int pageSize, long idleMillis, PageHandler handler) {
        this.vertx = vertx;
        this.pool = pool;
        this.client = client;
        this.stream = stream;
        this.partition = partition;
        this.baseKey = positionKey;
        this.positionKey = partition.count() == 1 ? positionKey : positionKey + "#" + partition;
        this.pageSize = pageSize;
        this.idleMillis = idleMillis;
        this.handler = handler;
    }

    /** Starts without a lease: the only consumer of this position (tests, single-process tools). */
    public void start() {
        start(UNFENCED);
    }

    /** Starts (or restarts) under a lease of {@code epoch}: pages are applied only while the position row holds it. */
    public synchronized void start(long epoch) {
        this.epoch = epoch;
        this.cursor = null;
        this.caughtUp = false;
        this.running = true;
        int current = ++generation;
        next(current, 0);
    }

    /** Stops after the page in flight, if any (whose transaction commits or, once the lease moved, rolls back). */
    public synchronized void stop() {
        running = false;
        generation++;
    }

    public boolean running() {
        return running;
    }

    /** The epoch this consumer was started with; {@link #UNFENCED} without a lease. */
    public long epoch() {
        return epoch;
    }

    /** The last failure (null when the last page applied), for health and data-quality reporting. */
    public String lastError() {
        return lastError;
    }

    /**
     * How long the producer has refused every attempt of this consumer (401, 403: an expired or wrong service token);
     * zero otherwise. A producer that is down or failing only delays the copy and is not counted here.
     */
    public Duration refusedFor() {
        long since = refusedSince;
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** Where the position is stored, e.g. "ingestion/touches" or "ingestion/touches#2/4": names this consumer (and its lease). */
    public String positionKey() {
        return positionKey;
    }

    public long itemsApplied() {
        return itemsApplied;
    }

    /**
     * True once the last page walked less than a whole page (the producer had nothing more at that moment), and for a
     * consumer not running here (another replica holds its partition): nothing of it waits on this replica.
     */
    public boolean caughtUp() {
        return !running || caughtUp;
    }

    /** Applies at most one page; emits the number of items applied (0 when caught up). */
    public Uni<Integer> pollOnce() {
        return poll(generation).map(Polled::applied);
    }

    private record Polled(int applied, boolean full) {
    }

    private Uni<Polled> poll(int current) {
        long fence = epoch;
        String at = cursor;
        return (at != null ? Uni.createFrom().item(at) : claim(fence))
                .chain(after -> client.fetch(stream, partition, after, pageSize).chain(page -> {
                    boolean full = page.full(pageSize);
                    if (page.items().isEmpty()) {
                        // Only other partitions' items, or none: nothing to store; a restart walks past them again.
                        moveTo(current, page.next());
                        return Uni.createFrom().item(new Polled(0, full));
                    }
                    return pool.withTransaction(tx -> handler.apply(tx, page.items(), full).chain(() -> store(tx, page.next(), fence)))
                            .map(ignored -> {
                                moveTo(current, page.next());
                                return new Polled(page.items().size(), full);
                            });
                }));
    }

    private void moveTo(int current, String next) {
        if (generation == current) { // a restart meanwhile claimed its own position: an older poll must not move it back
            cursor = next;
        }
    }

    /** The stored position; under a lease, the row is first stamped with the lease's epoch, which fences older owners out. */
    private Uni<String> claim(long fence) {
        if (fence == UNFENCED) {
            return pool.preparedQuery("select cursor from feed_position where stream = $1").execute(Tuple.of(positionKey))
                    .map(rows -> rows.size() == 0 ? "" : rows.iterator().next().getString(0));
        }
        // A partition without a position starts where the slowest share of the stream stood (the whole stream's
        // position included): everything before it was applied, what follows is applied again, idempotently.
        return pool.preparedQuery("insert into feed_position (stream, cursor, epoch)"
                        + " values ($1, coalesce((select cursor from feed_position where stream = $2 or stream like $2 || '#%'"
                        + " order by coalesce(nullif(split_part(cursor, '.', 1), '')::bigint, 0),"
                        + " coalesce(nullif(split_part(cursor, '.', 2), '')::bigint, 0) limit 1), ''), $3)"
                        + " on conflict (stream) do update set epoch = excluded.epoch where feed_position.epoch <= excluded.epoch"
                        + " returning cursor")
                .execute(Tuple.of(positionKey, baseKey, fence))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new LeaseLostException(positionKey, fence);
                    }
                    String stored = rows.iterator().next().getString(0);
                    return stored == null ? "" : stored;
                });
    }

    private Uni<Void> store(SqlConnection tx, String next, long fence) {
        if (fence == UNFENCED) {
            return tx.preparedQuery("insert into feed_position (stream, cursor) values ($1, $2)"
                            + " on conflict (stream) do update set cursor = excluded.cursor")
                    .execute(Tuple.of(positionKey, next)).replaceWithVoid();
        }
        return tx.preparedQuery("update feed_position set cursor = $2 where stream = $1 and epoch = $3")
                .execute(Tuple.of(positionKey, next, fence))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new LeaseLostException(positionKey, fence);
                    }
                    return null;
                });
    }

    private void next(int current, long delayMillis) {
        if (!running || generation != current) {
            return;
        }
        if (delayMillis <= 0) {
            poll(current).subscribe().with(polled -> done(current, polled), failure -> failed(current, failure));
        } else {
            vertx.setTimer(delayMillis, id -> next(current, 0));
        }
    }

    private void done(int current, Polled polled) {
        lastError = null;
        refusedSince = 0;
        itemsApplied += polled.applied();
        caughtUp = !polled.full();
        next(current, polled.applied() == 0 && !polled.full() ? idleMillis : 0);
    }

    private void failed(int current, Throwable failure) {
        if (failure instanceof LeaseLostException) {
            // Idle until FeedLeases, at its next renewal, sees the lease gone and stops or restarts this consumer.
            Log.infof("%s", failure.getMessage());
            return;
        }
        lastError = failure.getMessage();
        if (!(failure instanceof FeedClient.FeedRefusedException)) {
            refusedSince = 0;
        } else if (refusedSince == 0) {
            refusedSince = System.nanoTime();
        }
        Log.warnf("feed %s: %s; retrying in 1 s", positionKey, failure.getMessage());
        next(current, 1000);
    }
}
