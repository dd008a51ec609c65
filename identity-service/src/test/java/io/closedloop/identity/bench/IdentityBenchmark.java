package io.closedloop.identity.bench;

import io.closedloop.identity.repository.GraphRepository;
import io.closedloop.identity.service.IdentityGraphService;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.testing.TestPostgres;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedCursor;
import io.closedloop.plumbing.feed.FeedItem;
import io.closedloop.plumbing.feed.FeedPage;
import io.closedloop.plumbing.feed.FeedReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * bench/identity.sh: resolves 1,000,000 identity facts (identify, alias, group, CRM contact links)
 * over the benchmark dataset's 100,000 contacts and 25,000 accounts, page by page as the feed
 * consumer does (one transaction per 1,000-item page), and compares with a plain read of the same
 * feed pages. Run with -Xmx512m: the graph lives in PostgreSQL, the heap holds one page's working set.
 *
 * <p>Facts per contact (10): its CRM contact link (contact id + email → CRM account), a group call
 * (user id → account), the form-fill identify (visitor's anonymous id + user id + email) and seven
 * identifies from further devices (new anonymous id + user id). They are emitted round by round
 * (every contact's first fact, then every contact's second, ...), so pages mix many persons.
 */
public final class IdentityBenchmark {

    private static final int FACTS_PER_CONTACT = 10;
    /** Items per feed page (the consumers' closedloop.feeds.page-size); the second argument changes it. */
    private static int PAGE = 1000;
    private static final String WS = "bench";

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : Dataset.Size.BENCHMARK.accounts();
        PAGE = args.length > 1 ? Integer.parseInt(args[1]) : PAGE;
        Dataset dataset = new Dataset(42, new Dataset.Size(accounts, 4, 10, 0), Instant.parse("2026-01-01T00:00:00Z"), 90);
        PostgresServer postgres = TestPostgres.server();
        String db = "identity_bench";
        postgres.dropDatabase(db);
        postgres.ensureDatabase(db, db);
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", postgres.adminPassword()); Statement s = c.createStatement()) {
            if (System.getenv("BENCH_SLOW_SQL") != null) {
                s.execute("alter system set log_min_duration_statement = " + System.getenv("BENCH_SLOW_SQL"));
                s.execute("select pg_reload_conf()");
            }
        } catch (Exception e) {
            System.out.println("cannot set slow-statement logging: " + e.getMessage());
        }
        Flyway.configure().dataSource(postgres.jdbcUrl(db), db, db).locations("classpath:db/migration").load().migrate();

        long t0 = System.nanoTime();
        long facts = load(postgres.jdbcUrl(db), db, dataset, accounts);
        System.out.printf("generated and loaded %,d identity facts and %,d accounts in %.1f s%n", facts, accounts, secs(t0));

        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(4))
                .connectingTo(new PgConnectOptions().setHost(postgres.host()).setPort(postgres.port())
                        .setDatabase(db).setUser(db).setPassword(db).setCachePreparedStatements(true))
                .using(vertx).build();
        IdentityGraphService service = new IdentityGraphService(System.getenv("BENCH_PROFILE") != null ? new TimedRepository() : new GraphRepository(),
                TestKeys.PRIVACY_KEY);
        FeedReader facts0 = new FeedReader("select xid, seq, workspace_id, kind, payload, '' as partition_key from bench_facts");
        FeedReader crm = new FeedReader("select xid, seq, workspace_id, kind, payload, '' as partition_key from bench_crm");

        // CRM accounts first (not timed in the figure): their domains are what email domains match.
        readAll(pool, crm, (page) -> pool.withTransaction(tx -> service.applyCrm(tx, page.items())).await().indefinitely());

        long r0 = System.nanoTime();
        long read = readAll(pool, facts0, page -> {
        });
        double readSecs = secs(r0);

        long a0 = System.nanoTime();
        long applied = readAll(pool, facts0, page -> pool.withTransaction(tx -> service.applyFacts(tx, page.items())).await().indefinitely());
        double applySecs = secs(a0);

        var stats = pool.query("select (select count(*) from persons), (select count(*) from persons where account_id is not null),"
                + " (select count(*) from identifiers), (select count(*) from memberships)").execute().await().indefinitely().iterator().next();
        long heapUsedPeak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heapUsedPeak += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf("persons %,d (with account %,d), identifiers %,d, membership items %,d%n",
                stats.getLong(0), stats.getLong(1), stats.getLong(2), stats.getLong(3));
        System.out.printf("baseline: plain read of the same %,d feed items in pages of %d: %.1f s = %,.0f items/s%n",
                read, PAGE, readSecs, read / readSecs);
        System.out.printf("figure:   resolved %,d identity facts: %.1f s = %,.0f facts/s%n", applied, applySecs, applied / applySecs);
        System.out.printf("ratio:    resolve time / read time = %.1f (target: same order, i.e. < 10)%n", applySecs / readSecs);
        System.out.printf("fast path: %,d of %,d pages merged stored persons (the rest: full recompute)%n",
                service.mergedPages(), (applied + PAGE - 1) / PAGE);
        System.out.printf("heap:     max %,d MB, peak used (sum of heap pools) %,d MB%n",
                Runtime.getRuntime().maxMemory() >> 20, heapUsedPeak >> 20);
        if (System.getenv("BENCH_PROFILE") != null) {
            TimedRepository.TIMES.forEach((k, v) -> System.out.printf("  %-28s %8.1f s%n", k, v / 1e9));
        }
        pool.close().await().indefinitely();
        vertx.close().await().indefinitely();
        System.exit(0);
    }

    interface PageSink {
        void accept(FeedPage page);
    }

    private static long readAll(Pool pool, FeedReader reader, PageSink sink) {
        FeedCursor cursor = FeedCursor.START;
        long n = 0;
        while (true) {
            FeedPage page = reader.read(pool, cursor, PAGE).await().indefinitely();
            if (page.items().isEmpty()) {
                return n;
            }
            sink.accept(page);
            n += page.items().size();
            cursor = FeedCursor.parse(page.next());
        }
    }

    /** Writes the feed-shaped source tables with COPY; returns the number of identity facts. */
    private static long load(String url, String db, Dataset dataset, int accounts) throws Exception {
        try (Connection c = DriverManager.getConnection(url, db, db); Statement s = c.createStatement()) {
            for (String table : List.of("bench_facts", "bench_crm")) {
                s.execute("create table " + table + " (seq bigserial, xid xid8 not null default pg_current_xact_id(),"
                        + " workspace_id text not null, kind text not null, payload jsonb not null)");
            }
            PGConnection pg = c.unwrap(PGConnection.class);
            StringBuilder crm = new StringBuilder();
            for (int a = 0; a < accounts; a++) {
                Dataset.Account account = dataset.account(a).account();
                crm.append(row("account", new JsonObject().put("id", account.id()).put("name", account.name())
                        .put("domains", new JsonArray().add(account.domain()))));
            }
            pg.getCopyAPI().copyIn("copy bench_crm (workspace_id, kind, payload) from stdin", new StringReader(crm.toString()));
            long n = 0;
            for (int round = 0; round < FACTS_PER_CONTACT; round++) {
                StringBuilder out = new StringBuilder();
                for (int a = 0; a < accounts; a++) {
                    Dataset.AccountData data = dataset.account(a);
                    for (Dataset.Contact contact : data.contacts()) {
                        out.append(fact(round, contact));
                        n++;
                    }
                    if (out.length() > 8_000_000) {
                        pg.getCopyAPI().copyIn("copy bench_facts (workspace_id, kind, payload) from stdin", new StringReader(out.toString()));
                        out.setLength(0);
                    }
                }
                pg.getCopyAPI().copyIn("copy bench_facts (workspace_id, kind, payload) from stdin", new StringReader(out.toString()));
            }
            // The same index as every real stream table (memberships_order, touch_feed...): a page is a range scan.
            for (String table : List.of("bench_facts", "bench_crm")) {
                s.execute("create index " + table + "_feed on " + table + " (xid, seq)");
            }
            s.execute("analyze");
            return n;
        }
    }

    private static String fact(int round, Dataset.Contact contact) {
        String user = "user-" + contact.id();
        JsonObject p = new JsonObject().put("id", "f" + round + "-" + contact.id()).put("occurredAt", "2026-01-01T00:00:00Z");
        JsonArray ids = new JsonArray();
        String kind;
        switch (round) {
            case 0 -> {
                kind = "link";
                ids.add(id("contact_id", contact.id())).add(id("email", contact.email()));
                p.put("account", new JsonObject().put("id", contact.accountId()));
            }
            case 1 -> {
                kind = "group";
                ids.add(id("user_id", user));
                p.put("account", new JsonObject().put("id", contact.accountId()));
            }
            case 2 -> {
                kind = "identify";
                ids.add(id("anonymous_id", contact.anonymousId())).add(id("user_id", user)).add(id("email", contact.email()));
            }
            default -> {
                kind = round % 2 == 0 ? "alias" : "identify";
                ids.add(id("anonymous_id", contact.anonymousId() + "-d" + round)).add(id("user_id", user));
            }
        }
        return row(kind, p.put("identifiers", ids));
    }

    private static JsonObject id(String type, String value) {
        return new JsonObject().put("type", type).put("value", value);
    }

    private static String row(String kind, JsonObject payload) {
        // COPY text format: tab-separated, backslash escaped
        return WS + "\t" + kind + "\t" + payload.encode().replace("\\", "\\\\") + "\n";
    }

    private static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
