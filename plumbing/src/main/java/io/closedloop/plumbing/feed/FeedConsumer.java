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
 * Follows one stream of another service: fetches a page, applies it with {@code handler} and
 * stores the new position in the same transaction, so a crash or restart resumes exactly where
 * the last committed page ended and a reset to the start rebuilds the same state (DESIGN §2).
 * Positions live in the consumer's table {@code feed_position(stream text primary key, cursor text)}.
 */
public final class FeedConsumer {

    /** Applies one page's items inside the consumer's transaction. */
    @FunctionalInterface
    public interface PageHandler {
        Uni<Void> apply(SqlConnection transaction, List<FeedItem> items);
    }

    private final Vertx vertx;
    private final Pool pool;
    private final FeedClient client;
    private final String stream;
    private final String positionKey;
    private final int pageSize;
    private final long idleMillis;
    private final PageHandler handler;
    private volatile boolean running;
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
        this.vertx = vertx;
        this.pool = pool;
        this.client = client;
        this.stream = stream;
        this.positionKey = positionKey;
        this.pageSize = pageSize;
        this.idleMillis = idleMillis;
        this.handler = handler;
    }

    public void start() {
        running = true;
        next(0);
    }

    public void stop() {
        running = false;
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

    /** Where the position is stored, e.g. "ingestion/touches": names this consumer in health and metrics. */
    public String positionKey() {
        return positionKey;
    }

    public long itemsApplied() {
        return itemsApplied;
    }

    /** True once the last page applied was not full: the producer had nothing more at that moment. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Applies at most one page; emits the number of items applied (0 when caught up). */
    public Uni<Integer> pollOnce() {
        return position().chain(after -> client.fetch(stream, after, pageSize)).chain(page -> {
            if (page.items().isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return pool.withTransaction(tx -> handler.apply(tx, page.items())
                            .chain(() -> tx.preparedQuery("insert into feed_position (stream, cursor) values ($1, $2)"
                                            + " on conflict (stream) do update set cursor = excluded.cursor")
                                    .execute(Tuple.of(positionKey, page.next()))))
                    .map(ignored -> page.items().size());
        });
    }

    private Uni<String> position() {
        return pool.preparedQuery("select cursor from feed_position where stream = $1").execute(Tuple.of(positionKey))
                .map(rows -> rows.size() == 0 ? "" : rows.iterator().next().getString(0));
    }

    private void next(long delayMillis) {
        if (!running) {
            return;
        }
        if (delayMillis <= 0) {
            poll();
        } else {
            vertx.setTimer(delayMillis, id -> poll());
        }
    }

    private void poll() {
        pollOnce().subscribe().with(applied -> {
            lastError = null;
            refusedSince = 0;
            itemsApplied += applied;
            caughtUp = applied < pageSize;
            next(applied == 0 ? idleMillis : 0);
        }, failure -> {
            lastError = failure.getMessage();
            if (!(failure instanceof FeedClient.FeedRefusedException)) {
                refusedSince = 0;
            } else if (refusedSince == 0) {
                refusedSince = System.nanoTime();
            }
            Log.warnf("feed %s: %s; retrying in 1 s", positionKey, failure.getMessage());
            next(1000);
        });
    }
}
