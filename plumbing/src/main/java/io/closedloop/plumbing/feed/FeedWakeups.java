package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The producer's side of a poll that finds its stream has nothing new (docs/feeds.md "Waiting"): the read waits, up to
 * the bound the consumer asked for, for the next commit that adds to the stream, then reads once more. A statement-level
 * trigger on each stream table notifies {@value #CHANNEL} with the stream's name (delivered at commit; PostgreSQL folds
 * a transaction's equal notifications into one); one connection of the pool listens. While it is down (it reconnects
 * every second) a read waits out its bound, as a plain poll interval would: a wakeup is never needed for correctness.
 */
public final class FeedWakeups {

    public static final String CHANNEL = "closedloop_feeds";
    /** The longest a read may wait (a consumer's {@code wait} above it is refused). */
    public static final long MAX_WAIT_MILLIS = 5_000;

    private final Vertx vertx;
    private final Pool pool;
    /** Per stream, what its next commit completes (then removes: later readers wait for the one after). */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> next = new ConcurrentHashMap<>();
    private final AtomicBoolean listening = new AtomicBoolean();

    public FeedWakeups(Vertx vertx, Pool pool) {
        this.vertx = vertx;
        this.pool = pool;
    }

    /**
     * The page of {@code reader} after {@code after}; when the stream has nothing after it, the page read again after the
     * stream's next commit or {@code waitMillis}, whichever comes first ({@code waitMillis} 0: no wait).
     */
    public Uni<io.vertx.core.buffer.Buffer> readJson(FeedReader reader, String stream, FeedPartition partition, FeedCursor after,
                                                    int limit, long waitMillis) {
        if (waitMillis <= 0) {
            return reader.readJson(pool, partition, after, limit);
        }
        listen();
        // Taken before the first read: a commit after it completes this, one before it is in the read.
        CompletableFuture<Void> woken = next.computeIfAbsent(stream, s -> new CompletableFuture<>());
        Uni<Void> wakeup = Uni.createFrom().completionStage(woken::copy).ifNoItem().after(Duration.ofMillis(waitMillis))
                .recoverWithItem((Void) null);
        return reader.readJson(pool, partition, after, limit, wakeup);
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
        CompletableFuture<Void> woken = next.remove(stream);
        if (woken != null) {
            woken.complete(null);
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
            pg.notificationHandler(notification -> wake(notification.getPayload()));
            pg.closeHandler(() -> {
                // Whatever was notified meanwhile is unknown: every waiting read reads again.
                next.keySet().forEach(this::wake);
                retry();
            });
            pg.query("listen " + CHANNEL).execute().subscribe().with(ok -> {
            }, failure -> {
                Log.warnf("feed wakeups: listen failed (%s); retrying", failure.getMessage());
                connection.closeAndForget();
            });
        }, failure -> retry());
    }

    private void retry() {
        try {
            vertx.setTimer(1000, id -> connect());
        } catch (IllegalStateException e) {
            // Vert.x is closing: the service is stopping.
        }
    }
}
