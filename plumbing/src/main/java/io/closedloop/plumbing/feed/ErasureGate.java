package io.closedloop.plumbing.feed;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * With the Kafka transport, holds a page that erases a person until the consumer's other feeds that carry personal data
 * have been read past the point their topics had reached when the erasure was first seen (docs/feeds.md "Kafka").
 * <p>
 * Over HTTP an erased item is gone from the producer's tables before the erasure is announced, so no consumer reads it
 * after. A topic keeps it until its retention: a partition read behind the erasure would apply the person's items after
 * the erasure removed the rest. Everything the producer relayed before it erased lies before those topics' ends when
 * the erasure is seen (what it erased first is never relayed after), so once every partition has passed them the
 * erasure finds all of the person's items and removes them; a partition read from the HTTP feed (a position without a
 * topic offset) never meets them.
 */
public final class ErasureGate {

    /** A feed the gate waits for: its topic source, its stream, where its positions are stored and in how many partitions. */
    public record Gated(KafkaFeedSource source, String stream, String positionKey) {
    }

    /** The page holds an erasure that must wait: thrown from the page's transaction, which rolls back; tried again. */
    public static final class ErasureWaitsException extends IllegalStateException {
        ErasureWaitsException(String message) {
            super(message);
        }
    }

    private final List<Gated> feeds;
    private final int partitions;
    /** Per erasure page (its stream and first item): the gated partitions' topic ends when it was first seen. */
    private final Map<String, Map<String, Long>> waiting = new ConcurrentHashMap<>();

    public ErasureGate(List<Gated> feeds, int partitions) {
        this.feeds = feeds;
        this.partitions = partitions;
    }

    /** {@code handler}, applying a page that holds an erasure ({@code erases}) only once the gated feeds have passed it. */
    public FeedConsumer.PageHandler around(String stream, Predicate<FeedItem> erases, FeedConsumer.PageHandler handler) {
        return new FeedConsumer.PageHandler() {
            @Override
            public Uni<Void> apply(SqlConnection transaction, List<FeedItem> items) {
                return apply(transaction, items, false);
            }

            @Override
            public Uni<Void> apply(SqlConnection transaction, List<FeedItem> items, boolean full) {
                if (items.stream().noneMatch(erases)) {
                    return handler.apply(transaction, items, full);
                }
                String page = stream + "/" + items.get(0).workspace() + "/" + items.get(0).seq();
                return ends(page).chain(ends -> behind(transaction, ends)).chain(behind -> {
                    if (behind != null) {
                        return Uni.createFrom().failure(new ErasureWaitsException("an erasure in " + stream
                                + " waits until " + behind + " is read past where its topic stood when the erasure came"));
                    }
                    waiting.remove(page);
                    return handler.apply(transaction, items, full);
                });
            }

            @Override
            public void passed(boolean full) {
                handler.passed(full);
            }
        };
    }

    /** The gated partitions' topic ends, by position key, captured the first time the page came. */
    private Uni<Map<String, Long>> ends(String page) {
        Map<String, Long> known = waiting.get(page);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        Uni<Map<String, Long>> all = Uni.createFrom().item(new HashMap<>());
        for (Gated feed : feeds) {
            all = all.chain(ends -> feed.source().endOffsets(feed.stream()).map(offsets -> {
                for (int i = 0; i < offsets.length; i++) {
                    ends.put(partitions == 1 ? feed.positionKey() : feed.positionKey() + "#" + i + "/" + partitions, offsets[i]);
                }
                return ends;
            }));
        }
        return all.map(ends -> {
            waiting.put(page, ends);
            return ends;
        });
    }

    /** The first gated partition still behind its end (null when none is), from the positions stored in the page's transaction. */
    private static Uni<String> behind(SqlConnection transaction, Map<String, Long> ends) {
        List<String> keys = new ArrayList<>(ends.keySet());
        return transaction.preparedQuery("select stream, cursor from feed_position where stream = any($1)")
                .execute(Tuple.of(keys.toArray(new String[0])))
                .map(rows -> {
                    for (Row row : rows) {
                        Long offset = KafkaFeedSource.offsetIn(row.getString("cursor"));
                        // Without an offset the partition reads the HTTP feed, where the erased items no longer are.
                        if (offset != null && offset < ends.get(row.getString("stream"))) {
                            return row.getString("stream") + " (offset " + offset + " of " + ends.get(row.getString("stream")) + ")";
                        }
                    }
                    return null;
                });
    }
}
