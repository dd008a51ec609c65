package io.closedloop.attribution.recompute;

import io.closedloop.attribution.journey.AccountState;
import io.closedloop.attribution.rollup.CreditRollup;
import io.closedloop.attribution.rollup.RollupColumns;
import io.closedloop.attribution.repository.RollupRepository;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.PGCopyInputStream;

import javax.sql.DataSource;
import java.io.StringReader;
import io.quarkus.logging.Log;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Full recompute of a workspace's rollups (one partition of it, by account hash), from the
 * stored touches, memberships and opportunities to a new generation of committed rollup rows.
 *
 * <ol>
 *   <li>{@link #claim}: under the workspace's rollup lock held exclusively (each feed page of the
 *       incremental path holds a share of it), registers the partition as RUNNING in the generation being built and
 *       opens a REPEATABLE READ snapshot, then releases the lock. So every feed page either
 *       committed before the snapshot (and is in it) or sees the partition RUNNING and adds its
 *       delta to the new generation as well: nothing is lost or counted twice.</li>
 *   <li>{@link Job#run}: streams the partition's opportunities and touches ordered by account
 *       (server-side cursors, bounded memory: one account at a time, sums by key), with progress
 *       committed about every second on a second connection. The snapshot is read-only, so it
 *       holds back no feed horizon (DESIGN §8).</li>
 *   <li>Writes the sums into the new generation as series of its own parts (rollup_series, chunks of
 *       about {@value #SERIES_CHUNK_BYTES} bytes, a short transaction per few), the form reports read
 *       (RollupIndex); the incremental path adds rows to credit_rollup's part −1, so no writer
 *       conflicts with another. Whenever the sums held outgrow the partition's memory bound, they
 *       are written as one part and summing starts over (part = partition + k × partitions for the
 *       k-th): readers add a generation's parts up, so the heap a recompute needs does not grow
 *       with the data (DESIGN §10: 512 MB per service).</li>
 *   <li>The last partition to finish swaps the workspace's generation (reports switch at once,
 *       never seeing half a recompute) and deletes the old rows in chunks.</li>
 * </ol>
 * Plain JDBC (blocking, run on a worker thread): COPY and cursors with a fetch size are what a
 * batch job needs, and the benchmark runs this class without the service.
 */
public final class RollupRecompute {

    /** About this many bytes per series chunk: a few MB read in one piece, bounded memory on both sides. */
    static final int SERIES_CHUNK_BYTES = 4 << 20;
    private static final long PROGRESS_EVERY_MILLIS = 1_000;
    /** A RUNNING partition whose progress has not moved for this long is taken as dead. */
    static final long STALE_SECONDS = 60;

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** The sums a partition holds before it writes them out, by default: two partitions in parallel fit a 512 MB heap. */
    public static final long DEFAULT_PARTITION_BYTES = 48L << 20;

    private final DataSource dataSource;
    private final String runner;
    private final long partitionBytes;

    public RollupRecompute(DataSource dataSource) {
        this(dataSource, null, DEFAULT_PARTITION_BYTES);
    }

    /**
     * @param runner         who runs the partitions claimed here (a replica's name), recorded on each
     * @param partitionBytes the sums a running partition holds at most before writing them out as a part
     */
    public RollupRecompute(DataSource dataSource, String runner, long partitionBytes) {
        this.dataSource = dataSource;
        this.runner = runner;
        this.partitionBytes = partitionBytes;
    }

    /**
     * Registers the partition and takes its snapshot. Returns null when that partition of the
     * generation being built is already running or done.
     *
     * @throws IllegalArgumentException when a recompute with another partition count is building
     */
    public Job claim(String workspace, int partition, int partitions) throws SQLException {
        Connection c = dataSource.getConnection();
        boolean handedOver = false;
        try {
            c.setAutoCommit(true);
            execute(c, "select pg_advisory_lock(hashtextextended('rollup/' || ?, 0))", workspace);
            try {
                c.setAutoCommit(false);
                Job job = register(c, workspace, partition, partitions);
                c.commit();
                if (job == null) {
                    return null;
                }
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                job.total = count(c, workspace, partition, partitions); // the snapshot is taken here
                job.snapshot = exportSnapshot(c);
                job.connection = c;
                handedOver = true;
                return job;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                execute(c, "select pg_advisory_unlock(hashtextextended('rollup/' || ?, 0))", workspace);
            }
        } finally {
            if (!handedOver) {
                c.rollback();
                c.setAutoCommit(true);
                c.close();
            }
        }
    }

    private Job register(Connection c, String workspace, int partition, int partitions) throws SQLException {
        execute(c, """
                insert into rollup_state (workspace_id, generation, lookback_days, half_life_days, ready)
                select ?, 0, coalesce(s.lookback_days, 365), coalesce(s.half_life_days, 7), false
                from (select 1) one left join attribution_settings s on s.workspace_id = ?
                on conflict (workspace_id) do nothing""", workspace, workspace);
        Integer building;
        int generation;
        Integer buildingPartitions;
        try (PreparedStatement s = c.prepareStatement(
                "select generation, building, building_partitions from rollup_state where workspace_id = ? for update")) {
            s.setString(1, workspace);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                generation = r.getInt(1);
                building = (Integer) r.getObject(2);
                buildingPartitions = (Integer) r.getObject(3);
            }
        }
        if (building != null) {
            String state = null;
            boolean stale = false;
            try (PreparedStatement s = c.prepareStatement("select state, updated_at < now() - make_interval(secs => ?)"
                    + " from recompute_partition where workspace_id = ? and generation = ? and partition = ?")) {
                s.setLong(1, STALE_SECONDS);
                s.setString(2, workspace);
                s.setInt(3, building);
                s.setInt(4, partition);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        state = r.getString(1);
                        stale = r.getBoolean(2);
                    }
                }
            }
            boolean dead = "FAILED".equals(state) || (stale && !"DONE".equals(state));
            if (dead) {
                // Its sums were in memory only: the generation cannot be finished, start a new one.
                execute(c, "update recompute_partition set state = 'FAILED', error = coalesce(error, 'abandoned: no progress')"
                        + " where workspace_id = ? and generation = ? and state <> 'DONE'", workspace, building);
                execute(c, "update rollup_state set building = null, building_lookback = null, building_half_life = null,"
                        + " building_partitions = null where workspace_id = ?", workspace);
                building = null;
            } else if (buildingPartitions != partitions) {
                throw new IllegalArgumentException("recomputeRollups.partitions: generation " + building
                        + " is being built in " + buildingPartitions + " partitions, was " + partitions);
            } else if (state != null) {
                return null;
            }
        }
        if (building == null) {
            try (PreparedStatement s = c.prepareStatement("select greatest(?, coalesce(max(generation), 0)) + 1"
                    + " from recompute_partition where workspace_id = ?")) {
                s.setInt(1, generation);
                s.setString(2, workspace);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    building = r.getInt(1);
                }
            }
            execute(c, """
                    update rollup_state set building = ?, building_partitions = ?,
                        building_lookback = coalesce((select lookback_days from attribution_settings where workspace_id = ?), 365),
                        building_half_life = coalesce((select half_life_days from attribution_settings where workspace_id = ?), 7)
                    where workspace_id = ?""", building, partitions, workspace, workspace, workspace);
        }
        execute(c, "insert into recompute_partition (workspace_id, generation, partition, partitions, state, runner)"
                + " values (?, ?, ?, ?, 'RUNNING', ?)", workspace, building, partition, partitions, runner);
        int lookback;
        double halfLife;
        try (PreparedStatement s = c.prepareStatement(
                "select building_lookback, building_half_life from rollup_state where workspace_id = ?")) {
            s.setString(1, workspace);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                lookback = r.getInt(1);
                halfLife = r.getDouble(2);
            }
        }
        return new Job(workspace, building, partition, partitions, lookback, halfLife);
    }

    /** So that a second connection reads in the same snapshot (the exporting transaction stays open meanwhile). */
    private static String exportSnapshot(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select pg_export_snapshot()"); ResultSet r = s.executeQuery()) {
            r.next();
            return r.getString(1);
        }
    }

    private static int count(Connection c, String workspace, int partition, int partitions) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select count(distinct coalesce(account_id, '')) from opportunity"
                + " where workspace_id = ? and " + RollupRepository.PARTITION_OF.formatted("account_id", "?") + " = ?")) {
            s.setString(1, workspace);
            s.setInt(2, partitions);
            s.setInt(3, partition);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    /** One claimed partition: holds the snapshot's connection until {@link #run} ends. */
    public final class Job {
        public final String workspace;
        public final int generation;
        public final int partition;
        public final int partitions;
        final int lookbackDays;
        final double halfLifeDays;
        int total;
        Connection connection;
        String snapshot;
        /** Seconds spent reading and computing, writing, and swapping; and the rows written (for the benchmark). */
        public double[] timings;
        /** Seconds until the first account arrived (PostgreSQL joining and sorting), and this thread's CPU seconds after it. */
        public double firstAccountSeconds;
        public double computeCpuSeconds;
        /** CPU seconds of the thread decoding the COPY streams. */
        public double readCpuSeconds;
        /** Parts written so far (more than one when the sums outgrew the memory bound). */
        public int parts;
        private int written;
        /** Wall and thread CPU nanoseconds of the parts written while computing. */
        private long partNanos;
        private long partCpu;

        Job(String workspace, int generation, int partition, int partitions, int lookbackDays, double halfLifeDays) {
            this.workspace = workspace;
            this.generation = generation;
            this.partition = partition;
            this.partitions = partitions;
            this.lookbackDays = lookbackDays;
            this.halfLifeDays = halfLifeDays;
        }

        /** Computes, writes and (if it is the last partition) swaps. Returns true when this call swapped. */
        public boolean run() throws SQLException {
            try (Connection progress = dataSource.getConnection()) {
                progress.setAutoCommit(true);
                try {
                    long t0 = System.nanoTime();
                    updateProgress(progress, "RUNNING", 0);
                    CreditRollup rollup = compute(progress);
                    long t1 = System.nanoTime();
                    updateProgress(progress, "WRITING", total);
                    if (parts == 0 || !rollup.isEmpty()) {
                        writePart(progress, rollup);
                    }
                    int rows = written;
                    long t2 = System.nanoTime();
                    boolean swapped = finish(progress);
                    // The parts written while computing count as writing.
                    timings = new double[] {(t1 - t0 - partNanos) / 1e9, (t2 - t1 + partNanos) / 1e9, (System.nanoTime() - t2) / 1e9,
                            rows};
                    return swapped;
                } catch (SQLException | RuntimeException e) {
                    fail(progress, e);
                    throw e;
                } catch (Error e) {
                    Log.errorf(e, "rollup recompute of workspace %s partition %d failed", workspace, partition); // the cleanup below may mask it
                    // Out of memory in the compute phase left the partition RUNNING until a new recompute claimed it: marked
                    // FAILED now (what the computation held is unreachable once it unwound), the progress says so at once.
                    fail(progress, e);
                    throw e;
                }
            } finally {
                if (connection != null && !connection.isClosed()) {
                    try {
                        connection.rollback();
                        connection.setAutoCommit(true);
                    } catch (SQLException cleanup) {
                        Log.debugf("resetting the recompute connection failed: %s", cleanup.getMessage()); // never masks the cause
                    }
                    connection.close();
                }
            }
        }

        private CreditRollup compute(Connection progress) throws SQLException {
            CreditRollup rollup = new CreditRollup(lookbackDays, halfLifeDays);
            int done = 0;
            long lastProgress = System.currentTimeMillis();
            // The touches are sorted by account in PostgreSQL's memory (not this heap), not on disk.
            execute(connection, "set local work_mem = '256MB'");
            try (Connection second = dataSource.getConnection()) {
                second.setAutoCommit(false);
                second.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                second.setReadOnly(true);
                try {
                    execute(second, "set transaction snapshot '" + snapshot.replace("'", "''") + "'");
                    long start = System.nanoTime();
                    try (AccountStream accounts = new AccountStream(
                            new PGCopyInputStream(second.unwrap(PGConnection.class),
                                    AccountStream.opportunitiesSql(workspace, partition, partitions)),
                            new PGCopyInputStream(connection.unwrap(PGConnection.class),
                                    AccountStream.touchesSql(workspace, partition, partitions)));
                         ReadAhead ahead = new ReadAhead(accounts, "rollup-recompute-read-" + partition)) {
                        AccountState account = ahead.next();
                        firstAccountSeconds = (System.nanoTime() - start) / 1e9;
                        long cpu = THREADS.getCurrentThreadCpuTime();
                        for (; account != null; account = ahead.next()) {
                            rollup.add(account, 1);
                            done++;
                            if (rollup.bytesSoon() > partitionBytes && !rollup.isEmpty()) {
                                long w0 = System.nanoTime();
                                long c0 = THREADS.getCurrentThreadCpuTime();
                                writePart(progress, rollup);
                                rollup.clear();
                                partNanos += System.nanoTime() - w0;
                                partCpu += THREADS.getCurrentThreadCpuTime() - c0;
                            }
                            if (System.currentTimeMillis() - lastProgress >= PROGRESS_EVERY_MILLIS) {
                                updateProgress(progress, "RUNNING", done);
                                lastProgress = System.currentTimeMillis();
                            }
                        }
                        computeCpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu - partCpu) / 1e9;
                        ahead.close();
                        readCpuSeconds = ahead.readerCpuSeconds;
                    }
                } catch (java.io.IOException e) {
                    throw new SQLException("reading the journeys of workspace " + workspace + " failed", e);
                } finally {
                    // Never masks why the read failed: the connection is closed right after anyway.
                    try {
                        second.rollback();
                        second.setReadOnly(false);
                        second.setAutoCommit(true);
                    } catch (SQLException cleanup) {
                        Log.debugf("resetting the snapshot connection failed: %s", cleanup.getMessage());
                    }
                }
            }
            connection.commit();
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            connection.setAutoCommit(true);
            connection.close();
            return rollup;
        }

        /**
         * Writes the sums held as the partition's next part: series (rollup_series: CreditRollup.forEachSeriesChunk), a short
         * transaction per few chunks, then the won deals.
         */
        private void writePart(Connection c, CreditRollup rollup) throws SQLException {
            int part = partition + partitions * parts++;
            int[] chunks = {0};
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("insert into rollup_series (workspace_id, generation, part, basis,"
                    + " dimension, columns, chunk, cells) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
                rollup.forEachSeriesChunk(RollupColumns.indexes(), SERIES_CHUNK_BYTES, (basis, dimension, columns, chunk, cells) -> {
                    insert.setString(1, workspace);
                    insert.setInt(2, generation);
                    insert.setInt(3, part);
                    insert.setString(4, basis);
                    insert.setString(5, dimension);
                    insert.setString(6, columns.indexName());
                    insert.setInt(7, chunk);
                    insert.setBytes(8, cells);
                    insert.executeUpdate();
                    if (++chunks[0] % 16 == 0) {
                        heartbeat(c);
                    }
                });
                heartbeat(c);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            written += chunks[0] + writeDeals(c, copy, rollup, part);
        }

        /** Commits the chunks so far with the partition's heartbeat: a claim takes over a partition whose heartbeat is old. */
        private void heartbeat(Connection c) throws SQLException {
            execute(c, "update recompute_partition set updated_at = now()"
                    + " where workspace_id = ? and generation = ? and partition = ?", workspace, generation, partition);
            c.commit();
        }

        /** COPYs the won-deal rows held (won_deal_rollup) as {@code part} in one transaction. */
        private int writeDeals(Connection c, CopyManager copy, CreditRollup rollup, int part) throws SQLException {
            StringBuilder text = new StringBuilder();
            int[] written = {0};
            String prefix = escape(workspace) + '\t' + generation + '\t' + part + '\t';
            rollup.forEachDeal(d -> {
                text.append(prefix).append(d.dimension()).append('\t').append(d.day()).append('\t')
                        .append(escape(d.opportunityId())).append('\t').append(d.daysToConversion()).append('\t')
                        .append(escape(d.profile())).append('\t').append(d.count()).append('\n');
                written[0]++;
            });
            inTransaction(c, () -> copy.copyIn("copy won_deal_rollup (workspace_id, generation, part, dimension, day,"
                    + " opportunity_id, days_to_conversion, profile, count) from stdin", new StringReader(text.toString())));
            return written[0];
        }

        /** Work on {@code c} that COPYs; an I/O failure of the COPY stream becomes an SQLException. */
        private interface CopyWork {
            void run() throws SQLException, java.io.IOException;
        }

        /** Runs {@code work} as one transaction on {@code c}: committed, or rolled back on any failure. */
        private static void inTransaction(Connection c, CopyWork work) throws SQLException {
            c.setAutoCommit(false);
            try {
                work.run();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } catch (java.io.IOException e) {
                c.rollback();
                throw new SQLException("COPY failed: " + e.getMessage(), e);
            } finally {
                c.setAutoCommit(true);
            }
        }

        private boolean finish(Connection c) throws SQLException {
            boolean swapped;
            c.setAutoCommit(false);
            try {
                execute(c, "select pg_advisory_xact_lock(hashtextextended('rollup/' || ?, 0))", workspace);
                execute(c, "update recompute_partition set state = 'DONE', accounts_done = accounts_total, updated_at = now()"
                        + " where workspace_id = ? and generation = ? and partition = ?", workspace, generation, partition);
                try (PreparedStatement s = c.prepareStatement("""
                        update rollup_state set generation = building, lookback_days = building_lookback,
                            half_life_days = building_half_life, ready = true, building = null, building_lookback = null,
                            building_half_life = null, building_partitions = null, updated_at = now()
                        where workspace_id = ? and building = ?
                          and building_partitions = (select count(*) from recompute_partition
                                                     where workspace_id = ? and generation = ? and state = 'DONE')""")) {
                    s.setString(1, workspace);
                    s.setInt(2, generation);
                    s.setString(3, workspace);
                    s.setInt(4, generation);
                    swapped = s.executeUpdate() == 1;
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            if (swapped) {
                // Old generations (and abandoned ones) go in short transactions.
                int deleted;
                do {
                    try (PreparedStatement s = c.prepareStatement("delete from credit_rollup where ctid = any(array("
                            + "select ctid from credit_rollup where workspace_id = ? and generation < ? limit 20000))")) {
                        s.setString(1, workspace);
                        s.setInt(2, generation);
                        deleted = s.executeUpdate();
                    }
                } while (deleted > 0);
                for (String table : new String[] {"rollup_series", "won_deal_rollup"}) {
                    try (PreparedStatement s = c.prepareStatement("delete from " + table + " where workspace_id = ? and generation < ?")) {
                        s.setString(1, workspace);
                        s.setInt(2, generation);
                        s.executeUpdate();
                    }
                }
            }
            return swapped;
        }

        private void updateProgress(Connection c, String state, int done) throws SQLException {
            execute(c, "update recompute_partition set state = ?, accounts_done = ?, accounts_total = ?, updated_at = now()"
                    + " where workspace_id = ? and generation = ? and partition = ?",
                    state, done, total, workspace, generation, partition);
        }

        private void fail(Connection c, Throwable e) {
            try {
                execute(c, "update recompute_partition set state = 'FAILED', error = ?, updated_at = now()"
                        + " where workspace_id = ? and generation = ? and partition = ?",
                        String.valueOf(e.getMessage()), workspace, generation, partition);
                execute(c, "update rollup_state set building = null, building_lookback = null, building_half_life = null,"
                        + " building_partitions = null where workspace_id = ? and building = ?", workspace, generation);
            } catch (SQLException ignored) {
                // the partition stays RUNNING and is taken as dead after STALE_SECONDS
            }
        }
    }

    /** COPY text format: backslash, tab, newline and carriage return escaped. */
    private static String escape(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static void execute(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.execute();
        }
    }
}
