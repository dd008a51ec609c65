package io.closedloop.plumbing.feed;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one page of a producer's stream in commit-safe order (DESIGN §2 "Change feeds").
 *
 * <p>Each stream's rows carry {@code xid xid8 default pg_current_xact_id()} and a sequence. Items
 * are returned ordered by (xid, seq) and only when {@code xid} is below the horizon
 * {@code pg_snapshot_xmin(pg_current_snapshot())}: every transaction below it has ended, so a
 * transaction still running (which will commit later, possibly with an earlier sequence number)
 * always has an xid at or above the horizon, hence above every cursor handed out so far. A row
 * committed late is therefore never skipped. The price: one long-running write transaction holds
 * the feed back until it ends (DESIGN §8).
 */
public final class FeedReader {

    /** Largest page a consumer may ask for. */
    public static final int MAX_LIMIT = 10_000;

    private final String pageQuery;

    /**
     * @param source a SELECT yielding the columns {@code xid} (xid8), {@code seq} (bigint),
     *               {@code workspace_id} (text), {@code kind} (text), {@code payload} (json or jsonb) and
     *               {@code partition_key} (text): the object whose successive items must be applied in order, or ''
     *               when the whole workspace must (docs/feeds.md "Partitions")
     */
    public FeedReader(String source) {
        String partition = "(hashtext(s.workspace_id || ':' || s.partition_key) & 2147483647)";
        // Every column is named through the stream alias: a bare "order by xid" would sort by the bigint output
        // column of the same name and cost a scan and sort of the whole table per page instead of an index range.
        // A partition is not a filter of the scan: the planner cannot know that one in n rows match, guesses far fewer,
        // and would rather scan and sort the whole table than walk the index. A page walks the next `limit` rows of the
        // stream as every page does and builds the payloads of its partition's rows only.
        this.pageQuery = "select s.xid::text::bigint as xid, s.seq, s.workspace_id, s.kind, " + partition + " as partition,"
                + " s.partition_key,"
                + " case when $4::int = 1 or " + partition + " % $4::int = $5::int then s.payload::text end as payload"
                + " from (" + source + ") s"
                + " where (s.xid, s.seq) > ($1::text::xid8, $2)"
                + " and s.xid < pg_snapshot_xmin(pg_current_snapshot())"
                + " order by s.xid, s.seq limit $3";
    }

    /**
     * The page query: parameters are the cursor's xid (text), its sequence, the limit, the partition count and index.
     * Exposed so that each producer's tests can check its plan is an index range scan of the stream table(s).
     */
    public String pageQuery() {
        return pageQuery;
    }

    /** A page of the whole stream parsed, for a consumer in the same process (benchmarks, tests). */
    public Uni<FeedPage> read(Pool pool, FeedCursor after, int limit) {
        return rows(pool, FeedPartition.ALL, after, limit)
                .map(rows -> {
                    List<FeedItem> items = new ArrayList<>(rows.size());
                    FeedCursor last = after;
                    for (Row row : rows) {
                        items.add(new FeedItem(row.getLong("seq"), row.getString("workspace_id"), row.getString("kind"),
                                new JsonObject(row.getString("payload"))));
                        last = new FeedCursor(row.getLong("xid"), row.getLong("seq"));
                    }
                    return new FeedPage(items, last.toString(), rows.size());
                });
    }

    /**
     * A page of {@code partition} as the feed endpoint answers it (docs/feeds.md): {@code {"items": [{"seq", "workspace",
     * "kind", "partition", "payload"}], "next", "walked"}}, each payload's text copied from the stream table as it is,
     * never parsed and encoded again on the way. The page walks the next {@code limit} items of the stream and holds those
     * of the partition; {@code next} is past all of them and {@code walked} counts them.
     */
    public Uni<Buffer> readJson(Pool pool, FeedPartition partition, FeedCursor after, int limit) {
        return rows(pool, partition, after, limit).map(rows -> json(rows, after));
    }

    /** {@link #readJson}; when the stream has nothing after {@code after}, read again once {@code wakeup} emits (FeedWakeups). */
    Uni<Buffer> readJson(Pool pool, FeedPartition partition, FeedCursor after, int limit, Uni<Void> wakeup) {
        return rows(pool, partition, after, limit)
                .chain(rows -> rows.size() > 0 ? Uni.createFrom().item(rows) : wakeup.chain(() -> rows(pool, partition, after, limit)))
                .map(rows -> json(rows, after));
    }

    private static Buffer json(RowSet<Row> rows, FeedCursor after) {
        Buffer page = Buffer.buffer(256 + 512 * rows.size()).appendString("{\"items\":[");
        FeedCursor last = after;
        boolean first = true;
        for (Row row : rows) {
            last = new FeedCursor(row.getLong("xid"), row.getLong("seq"));
            if (row.getString("payload") == null) {
                continue; // another partition's item: passed over, and the cursor moves past it
            }
            if (!first) {
                page.appendString(",");
            }
            appendItem(page, row);
            first = false;
        }
        return page.appendString("],\"next\":").appendString(Json.encode(last.toString()))
                .appendString(",\"walked\":").appendString(Integer.toString(rows.size())).appendString("}");
    }

    /** One item of the stream as a relay publishes it: its cursor, its record key and partition hash, the item's JSON. */
    public record StreamRecord(FeedCursor cursor, String key, int hash, Buffer item) {
    }

    /**
     * The next {@code limit} items of the whole stream, each encoded as the feed endpoint encodes an item (the payload's
     * text as stored), for {@link KafkaRelay}: keyed by workspace and partition key, with the hash that picks the partition.
     */
    public Uni<List<StreamRecord>> readRecords(Pool pool, FeedCursor after, int limit) {
        return rows(pool, FeedPartition.ALL, after, limit).map(rows -> {
            List<StreamRecord> records = new ArrayList<>(rows.size());
            for (Row row : rows) {
                Buffer item = Buffer.buffer(512);
                appendItem(item, row);
                records.add(new StreamRecord(new FeedCursor(row.getLong("xid"), row.getLong("seq")),
                        row.getString("workspace_id") + ":" + row.getString("partition_key"), row.getInteger("partition"), item));
            }
            return records;
        });
    }

    private static void appendItem(Buffer out, Row row) {
        out.appendString("{\"seq\":").appendString(Long.toString(row.getLong("seq")))
                .appendString(",\"workspace\":").appendString(Json.encode(row.getString("workspace_id")))
                .appendString(",\"kind\":").appendString(Json.encode(row.getString("kind")))
                .appendString(",\"partition\":").appendString(Integer.toString(row.getInteger("partition")))
                .appendString(",\"payload\":").appendString(row.getString("payload")).appendString("}");
    }

    private Uni<RowSet<Row>> rows(Pool pool, FeedPartition partition, FeedCursor after, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: must be 1 to " + MAX_LIMIT + ", was " + limit);
        }
        return pool.preparedQuery(pageQuery).execute(Tuple.of(Long.toString(after.xid()), after.seq(), limit, partition.count(),
                partition.index()));
    }

}
