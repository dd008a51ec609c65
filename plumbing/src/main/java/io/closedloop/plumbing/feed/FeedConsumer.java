package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;

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

        /** A page that walked only other partitions' items (not applied): {@code full} as above. */
        default void passed(boolean full) {
        }
    }

    /**
     * The position row holds a newer epoch than this consumer's (another replica owns the partition now), or is no longer
     * where this consumer read its page from: the page is not applied.
     */
    public static final class LeaseLostException extends IllegalStateException {
        LeaseLostException(String positionKey, long epoch) {
            super("feed " + positionKey + ": position moved or lease of epoch " + epoch + " lost; page not applied");
        }
    }

    /** The epoch of a consumer started without a lease: its position writes are not fenced. */
    static final long UNFENCED = -1;
    /**
     * How long an idle consumer's read may wait at the producer for the stream's next commit (docs/feeds.md "Waiting"):
     * an idle feed costs a request a second instead of one per poll interval, and a commit is read at once.
     */
    static final long WAIT_MILLIS = 1000;

    private final Vertx vertx;
    private final Pool pool;
    private final FeedSource client;
    private final String stream;
    private final FeedPartition partition;
    private final String baseKey;
    private final String positionKey;
    private final int pageSize;
    private final long idleMillis;
    private final PageHandler handler;
    private final Semaphore transactions;
    private volatile boolean running;
    // generation, epoch, owner and cursor change together (start, a page's end): read and written under the lock.
    private int generation;
    private long epoch = UNFENCED;
    /** The replica holding the lease (FeedLeases' owner), whose applied items feed_application counts; null without one. */
    private String owner;
    /** The position as stored in feed_position, claimed or written after the last page; null until claimed. */
    private String cursor;
    private volatile String lastError;
    private volatile long itemsApplied;
    private volatile boolean caughtUp;
    /** Whether the last poll found nothing new: the next one asks the producer to wait for a commit (FeedWakeups). */
    private volatile boolean idle;
    /** System.nanoTime() of the first full page of the current run of full pages; 0 when caught up. */
    private volatile long behindSince;
    /** System.nanoTime() of the first refusal of the current run of refused attempts; 0 otherwise. */
    private volatile long refusedSince;

    /**
     * @param positionKey where the position is stored (usually the producer and stream, e.g. "ingestion/touches")
     * @param idleMillis  how long to wait after an empty page before polling again
     */
    public FeedConsumer(Vertx vertx, Pool pool, FeedSource client, String stream, String positionKey,
                        int pageSize, long idleMillis, PageHandler handler) {
        this(vertx, pool, client, stream, positionKey, FeedPartition.ALL, pageSize, idleMillis, handler, new Semaphore(1));
    }

    /**
     * A consumer of one partition of the stream: its position is stored under {@code positionKey#i/n} (the whole
     * stream's under {@code positionKey}), starting, when it has none, from the slowest position stored for the stream.
     *
     * @param transactions shared by a replica's consumers: how many pages it applies at once, each holding a connection
     */
    public FeedConsumer(Vertx vertx, Pool pool, FeedSource client, String stream, String positionKey, FeedPartition partition,
                        int pageSize, long idleMillis, PageHandler handler, Semaphore transactions) {
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
        this.transactions = transactions;
    }

    /** Starts without a lease: the only consumer of this position (tests, single-process tools). */
    public void start() {
        start(UNFENCED, null);
    }

    /**
     * Starts (or restarts) under {@code owner}'s lease of {@code epoch}: pages are applied only while the position row
     * holds it, and each page's items are counted for the owner in {@code feed_application}.
     */
    public void start(long epoch, String owner) {
        int current;
        synchronized (this) {
            this.epoch = epoch;
            this.owner = owner;
            this.cursor = null;
            this.caughtUp = false;
            this.idle = false;
            this.behindSince = 0;
            this.lastError = null;
            this.refusedSince = 0;
            this.running = true;
            current = ++generation;
        }
        next(current, 0);
    }

    /** Stops after the page in flight, if any (whose transaction commits or, once the lease moved, rolls back). */
    public synchronized void stop() {
        running = false;
        generation++;
        lastError = null;
        refusedSince = 0;
    }

    public boolean running() {
        return running;
    }

    /** The epoch this consumer was started with; {@link #UNFENCED} without a lease. */
    public synchronized long epoch() {
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

    /** The stream's position key without the partition (e.g. "ingestion/touches"): the feed in metrics. */
    public String feed() {
        return baseKey;
    }

    public FeedPartition partition() {
        return partition;
    }

    /**
     * How long this consumer has been behind its producer: since the first page of the current run of full pages (the
     * producer had more than a page waiting each time); zero once a page was not full, and for a partition not held here.
     */
    public Duration lag() {
        long since = behindSince;
        return !running || since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
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
        int current;
        synchronized (this) {
            current = generation;
        }
        return poll(current).map(Polled::applied);
    }

    /** What a poll did: items applied, whether the page was full, or {@code busy}: no page transaction free here. */
    private record Polled(int applied, boolean full, boolean busy) {
    }

    private Uni<Polled> poll(int current) {
        long fence;
        String at;
        String holder;
        synchronized (this) {
            if (generation != current) {
                return Uni.createFrom().item(new Polled(0, false, false)); // restarted or stopped meanwhile
            }
            fence = epoch;
            at = cursor;
            holder = owner;
        }
        if (idle && at != null) {
            // Nothing was new: the producer holds the read until the stream's next commit (or a second), holding no page
            // transaction here meanwhile; what it then finds takes one (or is read again once one is free).
            return client.fetch(stream, partition, at, pageSize, WAIT_MILLIS).chain(page -> {
                if (nothingNew(page, at)) {
                    return apply(current, fence, holder, at, page);
                }
                if (!transactions.tryAcquire()) {
                    return Uni.createFrom().item(new Polled(0, false, true));
                }
                return apply(current, fence, holder, at, page).eventually(() -> transactions.release());
            });
        }
        // The replica's page transactions are bounded (the rest of its connections serve reports): a poll waits for one.
        if (!transactions.tryAcquire()) {
            return Uni.createFrom().item(new Polled(0, false, true));
        }
        return (at != null ? Uni.createFrom().item(at) : claim(fence))
                .chain(after -> client.fetch(stream, partition, after, pageSize).chain(page -> apply(current, fence, holder, after, page)))
                .eventually(() -> transactions.release());
    }

    private Uni<Polled> apply(int current, long fence, String holder, String after, FeedPage page) {
        boolean full = page.full(pageSize);
        if (nothingNew(page, after)) {
            moveTo(current, after);
            return Uni.createFrom().item(new Polled(0, full, false)); // nothing new (at the start, "0.0" is where "" is)
        }
        // A page of only other partitions' items moves the position all the same, so that a restart or a new owner walks
        // on from there.
        boolean passed = page.items().isEmpty();
        return pool.withTransaction(tx -> (passed ? Uni.createFrom().voidItem() : handler.apply(tx, page.items(), full))
                        .chain(() -> store(tx, fence, holder, after, page.next(), page.items().size())))
                .map(ignored -> {
                    if (passed) {
                        handler.passed(full);
                    }
                    moveTo(current, page.next());
                    return new Polled(page.items().size(), full, false);
                });
    }

    private static boolean nothingNew(FeedPage page, String after) {
        return page.walked() == 0 || page.next().equals(after);
    }

    /** Moves this generation's position after a page (or after its claim). */
    private synchronized void moveTo(int current, String position) {
        if (generation == current) { // a restart meanwhile claims its own position: an older poll must not move it
            cursor = position;
        }
    }

    /** The stored position; under a lease, the row is first stamped with the lease's epoch, which fences older owners out. */
    private Uni<String> claim(long fence) {
        if (fence == UNFENCED) {
            return pool.preparedQuery("select coalesce(cursor, '') from feed_position where stream = $1").execute(Tuple.of(positionKey))
                    .map(rows -> rows.size() == 0 ? "" : rows.iterator().next().getString(0));
        }
        // A partition without a position starts where the slowest share of the stream stood under another partition
        // count (the whole stream's position included): everything before it was applied, what follows is applied
        // again, idempotently. Its siblings of the same count are no guide: they may have moved past its own items.
        // Only the stream position is taken: a Kafka offset after it belongs to another partition of the topic.
        return pool.preparedQuery("insert into feed_position (stream, cursor, epoch)"
                        + " values ($1, coalesce((select substring(cursor from '^\\d+\\.\\d+') from feed_position where stream = $2"
                        + " or (stream like $2 || '#%' and stream not like '%/' || $4::int::text)"
                        + " order by coalesce(nullif(split_part(cursor, '.', 1), '')::bigint, 0),"
                        + " coalesce(nullif(split_part(cursor, '.', 2), '')::bigint, 0) limit 1), ''), $3)"
                        + " on conflict (stream) do update set epoch = excluded.epoch where feed_position.epoch <= excluded.epoch"
                        + " returning cursor")
                .execute(Tuple.of(positionKey, baseKey, fence, partition.count()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new LeaseLostException(positionKey, fence);
                    }
                    String position = rows.iterator().next().getString(0);
                    return position == null ? "" : position;
                });
    }

    /**
     * Writes the position after a page, in the page's transaction: only from the position the page was read from (two
     * polls never both apply a page) and, under a lease, only while the row holds this consumer's epoch.
     */
    private Uni<Void> store(SqlConnection tx, long fence, String holder, String after, String next, int items) {
        if (fence == UNFENCED) {
            return tx.preparedQuery("insert into feed_position (stream, cursor) values ($1, $2)"
                            + " on conflict (stream) do update set cursor = excluded.cursor")
                    .execute(Tuple.of(positionKey, next)).replaceWithVoid();
        }
        // One statement: the position moved (or nothing, fenced out) and the owner's count of applied items with it, an
        // audit that every item was applied by exactly one replica (summed over the owners, the stream's items).
        return tx.preparedQuery("with moved as (update feed_position set cursor = $2 where stream = $1 and epoch = $3"
                        + " and coalesce(cursor, '') = $4 returning stream)"
                        + " insert into feed_application (stream, owner, pages, items) select stream, $5, 1, $6 from moved"
                        + " on conflict (stream, owner) do update set pages = feed_application.pages + 1,"
                        + " items = feed_application.items + excluded.items")
                .execute(Tuple.of(positionKey, next, fence, after, holder, (long) items))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new LeaseLostException(positionKey, fence);
                    }
                    return null;
                });
    }

    private void next(int current, long delayMillis) {
        synchronized (this) {
            if (!running || generation != current) {
                return;
            }
        }
        if (delayMillis <= 0) {
            poll(current).subscribe().with(polled -> done(current, polled), failure -> failed(current, failure));
        } else {
            vertx.setTimer(delayMillis, id -> next(current, 0));
        }
    }

    private void done(int current, Polled polled) {
        if (polled.busy()) {
            // No page transaction was free: the next poll waits for one before it fetches (a waiting read's page was dropped).
            idle = false;
            next(current, 10);
            return;
        }
        lastError = null;
        refusedSince = 0;
        idle = polled.applied() == 0 && !polled.full();
        itemsApplied += polled.applied();
        caughtUp = !polled.full();
        if (!polled.full()) {
            behindSince = 0;
        } else if (behindSince == 0) {
            behindSince = System.nanoTime();
        }
        next(current, polled.applied() == 0 && !polled.full() ? idleMillis : 0);
    }

    private void failed(int current, Throwable failure) {
        if (failure instanceof LeaseLostException) {
            // Stopped: FeedLeases, at its next renewal, restarts it under the lease it holds then (claiming anew), if any.
            synchronized (this) {
                if (generation == current) {
                    running = false;
                }
            }
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
