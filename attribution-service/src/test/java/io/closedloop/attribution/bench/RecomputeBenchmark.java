package io.closedloop.attribution.bench;

import io.closedloop.attribution.recompute.RollupRecompute;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.testing.TestPostgres;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Full recompute (DESIGN §10): the Dataset written into attribution's tables with COPY as the
 * feed consumers would have stored it (touches, memberships, contacts, opportunities), then
 * (baseline) one SQL statement computing linear and position-based credit per touch with window
 * functions, written with CREATE TABLE ... AS, against (figure) RollupRecompute of every standard
 * model on both bases from the same tables to committed rollups. Run with -Xmx512m.
 */
public final class RecomputeBenchmark {

    static final String WS = "bench";

    public static void main(String[] args) throws Exception {
        int accounts = Dataset.Size.BENCHMARK.accounts();
        // --reuse: keep the database of an earlier run (same --accounts) on an external server
        // (CLOSEDLOOP_TEST_POSTGRES_URL) instead of loading it again; for iterating on the recompute.
        boolean reuse = false;
        int[] partitionCounts = {1, 2};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reuse" -> reuse = true;
                case "--partitions" -> partitionCounts = java.util.Arrays.stream(args[++i].split(","))
                        .mapToInt(Integer::parseInt).toArray();
                default -> accounts = Integer.parseInt(args[i]);
            }
        }
        Dataset dataset = new Dataset(42, new Dataset.Size(accounts, 4, 10, 2.0), Instant.parse("2025-01-01T00:00:00Z"), 365);
        PostgresServer postgres = TestPostgres.server();
        String db = "attribution_bench";
        String url = postgres.jdbcUrl(db);
        if (!reuse || !loaded(url, db)) {
            postgres.dropDatabase(db);
            postgres.ensureDatabase(db, db);
            Flyway.configure().dataSource(url, db, db).locations("classpath:db/migration").load().migrate();
            long t0 = System.nanoTime();
            long[] loaded = load(url, db, db, dataset);
            System.out.printf("loaded %,d touches, %,d memberships, %,d contacts, %,d opportunities with COPY in %.1f s%n",
                    loaded[0], loaded[1], loaded[2], loaded[3], secs(t0));
        } else {
            Flyway.configure().dataSource(url, db, db).locations("classpath:db/migration").load().migrate();
            System.out.println("reusing the loaded database " + db);
        }

        double baseline;
        long baselineRows;
        try (Connection c = DriverManager.getConnection(url, db, db); Statement s = c.createStatement()) {
            s.execute("drop table if exists baseline_credit");
            long b0 = System.nanoTime();
            s.execute(BASELINE);
            baseline = secs(b0);
            try (ResultSet r = s.executeQuery("select count(*) from baseline_credit")) {
                r.next();
                baselineRows = r.getLong(1);
            }
        }

        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(db);
        dataSource.setPassword(db);
        System.out.printf("baseline: one SQL statement, linear + position-based credit per touch (pipeline basis),"
                + " CREATE TABLE AS: %.2f s (%,d touch credits)%n", baseline, baselineRows);
        for (int partitions : partitionCounts) {
            resetPeaks();
            long f0 = System.nanoTime();
            RollupRecompute recompute = new RollupRecompute(dataSource);
            List<RollupRecompute.Job> jobs = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                jobs.add(recompute.claim(WS, p, partitions));
            }
            // Each partition on its own thread, as replicas (or an indexed Job's pods) would run them.
            List<Thread> threads = new ArrayList<>();
            for (RollupRecompute.Job job : jobs) {
                Thread t = new Thread(() -> {
                    try {
                        job.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            double figure = secs(f0);
            long heap = peakHeap();
            long rows;
            long bytes;
            try (Connection c = DriverManager.getConnection(url, db, db); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select count(*), coalesce(sum(length(cells)), 0) from rollup_series"
                         + " where workspace_id = 'bench'")) {
                r.next();
                rows = r.getLong(1);
                bytes = r.getLong(2);
            }
            System.out.printf("figure:   full recompute of the 10 standard models x 2 bases x 6 dimensions, %d partition(s)"
                    + " in parallel, to committed rollups: %.2f s (%,d series chunks, %,d MB)%n", partitions, figure, rows,
                    bytes >> 20);
            for (RollupRecompute.Job job : jobs) {
                System.out.printf("          partition %d: reading + computing %.2f s (first account after %.2f s; CPU:"
                                + " %.2f s computing, %.2f s decoding), writing %.2f s (%,.0f series chunks and won-deal rows), swap %.2f s%n",
                        job.partition, job.timings[0], job.firstAccountSeconds, job.computeCpuSeconds, job.readCpuSeconds,
                        job.timings[1], job.timings[3], job.timings[2]);
            }
            System.out.printf("ratio:    figure / baseline = %.2f (target <= 1)%n", figure / baseline);
            System.out.printf("heap:     max %,d MB, peak used during the recompute (sum of heap pools) %,d MB%n",
                    Runtime.getRuntime().maxMemory() >> 20, heap >> 20);
        }
        System.exit(0);
    }

    /** The SQL baseline of DESIGN §10: one statement, window functions, CREATE TABLE AS. */
    static final String BASELINE = """
            create table baseline_credit as
            select opportunity_id, touch_id, channel,
                   1.0 / n as linear,
                   case when n = 1 then 1.0 when n = 2 then 0.5
                        when pos = 1 or pos = n then 0.4 else 0.2 / (n - 2) end as position_based
            from (select j.*, row_number() over (partition by opportunity_id order by occurred_at, touch_id collate "C") as pos,
                         count(*) over (partition by opportunity_id) as n
                  from (select distinct o.id as opportunity_id, t.id as touch_id, t.occurred_at, t.channel
                        from opportunity o
                        join membership m on m.workspace_id = o.workspace_id and m.account_id = o.account_id
                        join (select t.workspace_id, t.id, t.occurred_at, t.channel, i.identifier
                              from touch t cross join lateral unnest(t.identifiers) as i(identifier)) t
                          on t.workspace_id = m.workspace_id and t.identifier = m.identifier
                        where o.workspace_id = 'bench'
                          and t.occurred_at between o.created_at - interval '365 days' and o.created_at) j) x""";

    private static boolean loaded(String url, String db) {
        try (Connection c = DriverManager.getConnection(url, db, db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select exists (select 1 from touch where workspace_id = '" + WS + "')")) {
            return r.next() && r.getBoolean(1);
        } catch (java.sql.SQLException e) {
            return false; // no such database yet
        }
    }

    /** COPYs the dataset into the journey tables; returns counts of touches, memberships, contacts, opportunities. */
    static long[] load(String url, String user, String password, Dataset dataset) throws Exception {
        long[] counts = new long[4];
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder touches = new StringBuilder();
            StringBuilder memberships = new StringBuilder();
            StringBuilder contacts = new StringBuilder();
            StringBuilder opportunities = new StringBuilder();
            int[] batch = {0};
            Runnable flush = () -> {
                try {
                    copy.copyIn("copy touch (workspace_id, id, occurred_at, type, channel, source, medium, campaign, content,"
                            + " identifiers) from stdin", new StringReader(touches.toString()));
                    copy.copyIn("copy membership (workspace_id, identifier, person_id, account_id) from stdin",
                            new StringReader(memberships.toString()));
                    copy.copyIn("copy contact (workspace_id, id, account_id, lead_created_at) from stdin",
                            new StringReader(contacts.toString()));
                    copy.copyIn("copy opportunity (workspace_id, id, account_id, amount, currency, created_at, status,"
                            + " closed_at, contact_ids) from stdin", new StringReader(opportunities.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                touches.setLength(0);
                memberships.setLength(0);
                contacts.setLength(0);
                opportunities.setLength(0);
            };
            dataset.forEachAccount(a -> {
                for (Dataset.Contact contact : a.contacts()) {
                    String person = "p_" + contact.id();
                    String account = contact.accountId();
                    memberships.append(WS).append('\t').append("anonymous_id:").append(contact.anonymousId()).append('\t')
                            .append(person).append('\t').append(account).append('\n');
                    memberships.append(WS).append('\t').append("email:").append(contact.email()).append('\t')
                            .append(person).append('\t').append(account).append('\n');
                    memberships.append(WS).append('\t').append("contact_id:").append(contact.id()).append('\t')
                            .append(person).append('\t').append(account).append('\n');
                    counts[1] += 3;
                    contacts.append(WS).append('\t').append(contact.id()).append('\t').append(account).append('\t')
                            .append(contact.leadCreatedAt() == null ? "\\N" : contact.leadCreatedAt().toString()).append('\n');
                    counts[2]++;
                }
                for (Dataset.Visit v : a.visits()) {
                    Dataset.Source s = v.source();
                    touches.append(WS).append('\t').append(v.messageId()).append('\t').append(v.at()).append('\t')
                            .append(v.formFill() ? "FORM_FILL" : "PAGE_VIEW").append('\t').append(s.channel()).append('\t')
                            .append(nullable(s.source())).append('\t').append(nullable(s.medium())).append('\t')
                            .append(nullable(s.campaign())).append("\t\\N\t{anonymous_id:").append(v.anonymousId());
                    if (v.email() != null) {
                        touches.append(",email:").append(v.email());
                    }
                    touches.append("}\n");
                    counts[0]++;
                }
                for (Dataset.Opportunity o : a.opportunities()) {
                    opportunities.append(WS).append('\t').append(o.id()).append('\t').append(o.accountId()).append('\t')
                            .append(o.amountCents() / 100).append('.').append(String.format("%02d", o.amountCents() % 100))
                            .append("\tUSD\t").append(o.createdAt()).append('\t').append(o.status()).append('\t')
                            .append(o.closedAt() == null ? "\\N" : o.closedAt().toString()).append("\t{")
                            .append(String.join(",", o.contactIds())).append("}\n");
                    counts[3]++;
                }
                if (++batch[0] % 1000 == 0) {
                    flush.run();
                }
            });
            flush.run();
            try (Statement s = c.createStatement()) {
                s.execute("analyze");
            }
        }
        return counts;
    }

    private static String nullable(String s) {
        return s == null ? "\\N" : s;
    }

    static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
