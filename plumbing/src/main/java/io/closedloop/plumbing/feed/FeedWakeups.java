package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The producer's side of a poll that finds its stream has nothing new (docs/feeds.md "Waiting"): the read waits, up to
 * the bound the consumer asked for, for the next commit that adds to the stream, then reads once more. A statement-level
 * trigger on each stream table notifies {@value #CHANNEL} with the stream's name (delivered at commit; PostgreSQL folds
 * a transaction's equal notifications into one) while some read has registered the stream as waited for (table
 * {@code feed_waiting}, renewed every few seconds while reads wait: notifying commits are serialized server-wide, so a
 * busy stream nobody waits on notifies no one); one connection of the pool listens. While it is down (it reconnects
 * every second) a read waits out its bound, as a plain poll interval would: a wakeup is never needed for correctness.
 */
public final class FeedWakeups {

    public static final String CHANNEL = "closedloop_feeds";
    /** The longest a read may wait (a consumer's {@code wait} above it is refused). */
    public static final long MAX_WAIT_MILLIS = 5_000;

    private final Vertx vertx;
    private final Pool pool;
    /** Per stream, the reads waiting for its next commit: each leaves when it ends (woken, timed out or cancelled). */
    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();
    private final AtomicBoolean listening = new AtomicBoolean();
    /** Per stream, until when (System.nanoTime(), so a clock step cannot stretch it) this replica's registration holds. */
    private final ConcurrentHashMap<String, Long> registered = new ConcurrentHashMap<>();
    /** How far ahead a registration reaches: one write per stream per this, while reads wait. */
    private static final long REGISTRATION_MILLIS = 10_000;

    public FeedWakeups(Vertx vertx, Pool pool) {
        this.vertx = vertx;
        this.pool = pool;
    }

    /**
     * The page of {@code reader} after {@code after}; when the stream has nothing after it, the page read again after the
     * stream's next commit or {@code waitMillis}, whichever comes first ({@code waitMillis} 0: no wait).
     */
    public Uni<Buffer> readJson(FeedReader reader, String stream, FeedPartition partition, FeedCursor after,
                                int limit, long waitMillis) {
        if (waitMillis <= 0) {
            return reader.readJson(pool, partition, after, limit);
        }
        listen();
        // Registered before the first read: a commit after it completes this, one before it is in the read.
        CompletableFuture<Void> woken = new CompletableFuture<>();
        Set<CompletableFuture<Void>> waiters = waiting.computeIfAbsent(stream, s -> ConcurrentHashMap.newKeySet());
        waiters.add(woken);
        Uni<Void> wakeup = Uni.createFrom().completionStage(woken).ifNoItem().after(Duration.ofMillis(waitMillis))
                .recoverWithItem((Void) null);
        return register(stream, waitMillis).chain(() -> reader.readJson(pool, partition, after, limit, wakeup))
                .onTermination().invoke(() -> waiters.remove(woken));
    }

    /** Registers the stream as waited for (before the first read: a commit after that notifies), unless it still is. */
    private Uni<Void> register(String stream, long waitMillis) {
        long now = System.nanoTime();
        Long until = registered.get(stream);
        if (until != null && until - now > waitMillis * 1_000_000) {
            return Uni.createFrom().voidItem();
        }
        registered.put(stream, now + REGISTRATION_MILLIS * 1_000_000);
        return pool.preparedQuery("insert into feed_waiting (stream, until) values ($1, clock_timestamp() + $2 * interval '1 millisecond')"
                        + " on conflict (stream) do update set until = greatest(feed_waiting.until, excluded.until)")
                .execute(Tuple.of(stream, REGISTRATION_MILLIS)).replaceWithVoid()
                .onFailure().invoke(failure -> {
                    registered.remove(stream);
                    Log.warnf("feed wakeups: cannot register stream %s as waited for (%s); its reads wait out their bound",
                            stream, failure.getMessage());
                })
                .onFailure().recoverWithItem((Void) null);
    }

    /** A request's {@code wait} parameter in milliseconds: none is 0; anything but 0 to {@value #MAX_WAIT_MILLIS} is refused. */
    public static long parseWait(String wait) {
        if (wait == null || wait.isBlank()) {
            return 0;
        }
        try {
            long millis = Long.parseLong(wait.strip());
            if (millis >= 0 && millis <= MAX_WAIT_MILLIS) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("wait: must be an integer from 0 to " + MAX_WAIT_MILLIS + " (milliseconds), was '" + wait + "'");
    }

    private void wake(String stream) {
        Set<CompletableFuture<Void>> waiters = waiting.get(stream);
        if (waiters != null) {
            for (CompletableFuture<Void> woken : waiters) {
                waiters.remove(woken);
                woken.complete(null);
            }
        }
    }

    private void listen() {
        if (listening.compareAndSet(false, true)) {
            connect();
        }
    }

    private void connect() {
        pool.getConnection().subscribe().with(connection -> {
            PgConnection pg = PgConnection.cast(connection);
            // A connection lost while LISTEN is in flight runs both handlers below: one retry per connection.
            AtomicBoolean retried = new AtomicBoolean();
            pg.notificationHandler(notification -> wake(notification.getPayload()));
            pg.closeHandler(() -> {
                // Whatever was notified meanwhile is unknown: every waiting read reads again.
                waiting.keySet().forEach(this::wake);
                if (retried.compareAndSet(false, true)) {
                    retry();
                }
            });
            pg.query("listen " + CHANNEL).execute().subscribe().with(ok -> {
            }, failure -> {
                Log.warnf("feed wakeups: listen failed (%s); retrying", failure.getMessage());
                if (retried.compareAndSet(false, true)) {
                    connection.closeAndForget(); // back to the pool: its close handler does not run
                    retry();
                }
            });
        }, failure -> retry());
    }

    private void retry() {
        try {
            vertx.setTimer(1000, id -> connect());
        } catch (RuntimeException e) {
            // Vert.x is closing (its timers refuse new tasks): the service is stopping.
        }
    }
}
