package io.closedloop.launcher.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks that a feed page query (plumbing's {@code FeedReader.pageQuery()}) is an index range scan of its stream
 * table(s): one ordered index scan per table, no sequential scan and no sort. The caller fills and analyzes the
 * tables first so that the planner has a reason to prefer the index; plans are read, nothing is timed.
 */
public final class FeedPlans {

    /** Rows enough that a page read through the (xid, seq) index beats a scan and sort of the table. */
    private static final int ROWS = 20_000;

    /**
     * Transaction ids spread below the commit-safe horizon, as in a stream table that has grown for a while: rows at
     * or above it would tell the planner that a page holds only a few rows, and a sort of a few rows is rightly cheap.
     */
    private static final String XID = "(1 + i * (pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 2) / " + ROWS + ")::text::xid8";

    private FeedPlans() {
    }

    /**
     * Adds rows to a stream table and analyzes it, in the caller's transaction (to be rolled back): {@code values} are
     * SQL expressions for {@code columns} of row {@code i}; the xid is set here.
     */
    public static void fill(Statement statement, String table, String columns, String values) throws SQLException {
        statement.execute("insert into " + table + " (xid, " + columns + ") select " + XID + ", " + values
                + " from generate_series(1, " + ROWS + ") i");
        statement.execute("analyze " + table);
    }

    /**
     * Fails unless both the custom plan (a consumer's first pages) and the generic plan (what a prepared statement
     * settles on after a few executions) of {@code pageQuery} read every table of {@code tables} through an index,
     * with neither a sequential scan nor a sort anywhere.
     */
    public static void assertIndexRangeScan(Connection connection, String stream, String pageQuery, List<String> tables)
            throws SQLException {
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            String plan = plan(connection, pageQuery, mode);
            for (String node : nodes(plan)) {
                if (node.contains("Seq Scan") || node.contains("Sort")) {
                    throw new AssertionError(stream + " (" + mode + "): " + node + " in\n" + plan);
                }
            }
            for (String table : tables) {
                Pattern indexScan = Pattern.compile("Index (Only )?Scan using \\S+ on " + table + "\\b");
                if (nodes(plan).stream().noneMatch(node -> indexScan.matcher(node).find())) {
                    throw new AssertionError(stream + " (" + mode + "): no index scan of " + table + " in\n" + plan);
                }
            }
        }
    }

    /** The plan's text for a page of one partition from the start of the stream, 1,000 items, in the given plan_cache_mode. */
    static String plan(Connection connection, String pageQuery, String planCacheMode) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("set plan_cache_mode = " + planCacheMode);
            s.execute("prepare feed_page_plan(text, bigint, int, int, int) as " + pageQuery);
            // A consumer of one partition of four: the same range scan, payloads built for its share only.
            try (ResultSet rs = s.executeQuery("explain execute feed_page_plan('0', 0, 1000, 4, 1)")) {
                StringBuilder plan = new StringBuilder();
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
                return plan.toString();
            } finally {
                s.execute("deallocate feed_page_plan");
                s.execute("reset plan_cache_mode");
            }
        }
    }

    /** The plan's node lines ("Limit", "Merge Append", "Index Scan using ... on touch"), not their detail lines. */
    static List<String> nodes(String plan) {
        List<String> nodes = new ArrayList<>();
        for (String line : plan.split("\n")) {
            int cost = line.indexOf("  (cost=");
            if (cost >= 0) {
                nodes.add(line.substring(0, cost).replaceFirst("^\\s*(->\\s+)?", ""));
            }
        }
        return nodes;
    }
}
