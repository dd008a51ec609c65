package io.closedloop.attribution.bench;

import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.launcher.testing.TestPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Freshness (DESIGN §10): ingestion-service and attribution-service run as processes (packaged
 * jars, -Xmx512m) on the loaded dataset (written into attribution's tables with COPY, then a full
 * recompute through the service's GraphQL). Each trial upserts an open opportunity as WON through
 * ingestion's GraphQL and measures from the HTTP acknowledgement until the rollup rows the
 * reports read (revenue basis, conversion counts of its close day) include it, and (issue 20) until the
 * public report through the gateway shows it: the conversions of its close day in the revenue report, asked of the
 * gateway as a dashboard asks it (its answer cache on, keyed by the data version; attribution's report built from the
 * rollups' running sums, deltas included).
 */
public final class FreshnessBenchmark {

    private static final String WS = RecomputeBenchmark.WS;

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : Dataset.Size.BENCHMARK.accounts();
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        // The services' heap: a full recompute of the benchmark dataset in two partitions runs out of 512 MB since the
        // custom components (RollupSums grows in the compute phase); bench/attribution.sh --service-heap changes it.
        String heap = args.length > 2 ? args[2] : "512m";
        Dataset dataset = new Dataset(42, new Dataset.Size(accounts, 4, 10, 2.0), Instant.parse("2025-01-01T00:00:00Z"), 365);
        PostgresServer postgres = TestPostgres.server();
        Path root = Path.of(".").toAbsolutePath().normalize();
        String prefix = "fresh_" + Long.toHexString(System.nanoTime()) + "_";
        ClosedLoopSystem system = ClosedLoopSystem.on(root, postgres, false, TestKeys.keys(), prefix);
        system.start(EnumSet.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION, ServiceName.GATEWAY),
                Map.of(ServiceName.INGESTION, 0, ServiceName.IDENTITY, 0, ServiceName.ATTRIBUTION, 0, ServiceName.GATEWAY, 0),
                List.of("-Xmx" + heap),
                Path.of("attribution-service", "target", "bench-logs"));
        try {
            String db = prefix + "attribution";
            String url = postgres.jdbcUrl(db);
            long t0 = System.nanoTime();
            long[] loaded = RecomputeBenchmark.load(url, "postgres", postgres.adminPassword(), dataset);
            System.out.printf("loaded %,d touches and %,d opportunities into the running service's tables in %.1f s%n",
                    loaded[0], loaded[3], RecomputeBenchmark.secs(t0));
            HttpClient http = HttpClient.newHttpClient();
            String attribution = system.service(ServiceName.ATTRIBUTION).url() + "/graphql";
            String ingestion = system.service(ServiceName.INGESTION).url() + "/graphql";
            String admin = TestKeys.token(WS, "admin");
            long r0 = System.nanoTime();
            post(http, attribution, admin, "mutation { recomputeRollups { generation } }");
            while (!post(http, attribution, admin, "{ rollupRecompute { state } }").contains("\"DONE\"")) {
                Thread.sleep(200);
            }
            System.out.printf("full recompute through the service (recomputeRollups until DONE): %.1f s%n",
                    RecomputeBenchmark.secs(r0));

            String ingest = TestKeys.token(WS, "ingest");
            List<Double> latencies = new ArrayList<>();
            List<Double> publicLatencies = new ArrayList<>();
            String gateway = system.service(ServiceName.GATEWAY).url() + "/graphql";
            String analyst = TestKeys.token(WS, "analyst");
            try (Connection c = DriverManager.getConnection(url, "postgres", postgres.adminPassword());
                 PreparedStatement count = c.prepareStatement("""
                         select coalesce(sum(r.credit[1]), 0) from credit_rollup r
                         join rollup_state s on s.workspace_id = r.workspace_id and s.generation = r.generation
                         where r.workspace_id = ? and r.basis = 'REVENUE' and r.dimension = 'OPPORTUNITIES' and r.day = ?""")) {
                int a = 0;
                while (latencies.size() < trials && a < accounts) {
                    for (Dataset.Opportunity o : dataset.account(a++).opportunities()) {
                        if (!"OPEN".equals(o.status()) || latencies.size() >= trials) {
                            continue;
                        }
                        Instant closed = o.createdAt().plus(Duration.ofDays(30));
                        LocalDate day = LocalDate.ofInstant(closed, ZoneOffset.UTC);
                        count.setString(1, WS);
                        count.setObject(2, day);
                        double before = value(count);
                        String mutation = "mutation { upsertOpportunities(opportunities: [{id: \"" + o.id() + "\", accountId: \""
                                + o.accountId() + "\", name: \"" + o.name() + "\", amount: \"" + (o.amountCents() / 100)
                                + "\", currency: \"USD\", createdAt: \"" + o.createdAt() + "\", stage: \"Closed Won\","
                                + " status: \"WON\", closedAt: \"" + closed + "\"}]) { status error } }";
                        String response = post(http, ingestion, ingest, mutation);
                        long acknowledged = System.nanoTime();
                        if (!response.contains("UPDATED") && !response.contains("CREATED")) {
                            throw new IllegalStateException("upsert refused: " + response);
                        }
                        while (value(count) < before + 0.5) {
                            if (System.nanoTime() - acknowledged > 30_000_000_000L) {
                                throw new IllegalStateException("opportunity " + o.id() + " not in the rollups after 30 s");
                            }
                            Thread.sleep(2);
                        }
                        latencies.add((System.nanoTime() - acknowledged) / 1e6);
                        while (conversions(http, gateway, analyst, day) < before + 0.5) {
                            if (System.nanoTime() - acknowledged > 30_000_000_000L) {
                                throw new IllegalStateException("opportunity " + o.id() + " not in the public report after 30 s");
                            }
                            Thread.sleep(5);
                        }
                        publicLatencies.add((System.nanoTime() - acknowledged) / 1e6);
                    }
                }
            }
            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (sorted.length > 0) {
                System.out.printf("figure:   freshness over %d deals marked won through ingestion's GraphQL: p50 %.0f ms,"
                        + " p95 %.0f ms, max %.0f ms (acknowledgement -> rollup row includes it; consumer poll interval"
                        + " 100 ms when idle)%n", sorted.length, percentile(sorted, 0.5), percentile(sorted, 0.95),
                        sorted[sorted.length - 1]);
                System.out.printf("target:   p95 <= 1000 ms -> %s%n", percentile(sorted, 0.95) <= 1000 ? "met" : "NOT met");
                double[] seen = publicLatencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("figure:   ... -> visible in the public report through the gateway (its answer cache on): p50 %.0f ms,"
                        + " p95 %.0f ms, max %.0f ms%n", percentile(seen, 0.5), percentile(seen, 0.95), seen[seen.length - 1]);
                System.out.printf("target:   p95 <= 500 ms (issue 20) -> %s%n", percentile(seen, 0.95) <= 500 ? "met" : "NOT met");
                System.out.println("latencies (ms): " + Arrays.toString(Arrays.stream(sorted).mapToLong(Math::round).toArray()));
            }
            int quarters = args.length > 3 ? Integer.parseInt(args[3]) : 8;
            if (quarters > 0) {
                intervals(http, system.service(ServiceName.ATTRIBUTION).url(), analyst, quarters);
            }
            if (args.length <= 4 || !"0".equals(args[4])) {
                explain(http, attribution, analyst, admin, url, postgres.adminPassword());
            }
        } finally {
            system.close();
        }
        System.exit(0);
    }

    /**
     * Issue 22: a quarter's channel report under LINEAR with 90 % intervals of 1,000 resamples, asked of attribution for
     * {@code quarters} different 90-day periods (either basis), beside the same report without intervals (asked first, so
     * neither is a kept answer); the attribution process's peak heap while the intervals are computed, read from its
     * /q/metrics every 20 ms.
     */
    private static void intervals(HttpClient http, String attribution, String token, int quarters) throws Exception {
        System.out.println("== Intervals: 1,000 resamples of a quarter's channel report ==");
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                try {
                    peak.accumulateAndGet(heapUsed(http, attribution), Math::max);
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        long idleHeap = heapUsed(http, attribution);
        sampler.start();
        List<Double> plain = new ArrayList<>();
        List<Double> bounded = new ArrayList<>();
        LocalDate first = LocalDate.of(2025, 4, 1);
        for (int q = 0; q < quarters; q++) {
            // Every quarter within the dataset's year (its deals close through 2025), however many are asked.
            LocalDate from = first.plusDays(184L * q / quarters);
            String period = "period: {from: \"" + from + "\", to: \"" + from.plusDays(89) + "\"}";
            String basis = q % 2 == 0 ? "REVENUE" : "PIPELINE";
            String report = "performance(" + period + ", model: {name: LINEAR}, basis: " + basis + ", groupBy: CHANNEL";
            String fields = " { rows { edges { node { key credit interval { credit { lower upper } revenue { lower upper } } } } } }";
            long t0 = System.nanoTime();
            post(http, attribution + "/graphql", token, "{ " + report + ")" + fields + " }");
            plain.add((System.nanoTime() - t0) / 1e6);
            long t1 = System.nanoTime();
            String answer = post(http, attribution + "/graphql", token, "{ " + report + ", interval: {level: 0.9, resamples: 1000})"
                    + fields + " }");
            bounded.add((System.nanoTime() - t1) / 1e6);
            if (!answer.contains("\"lower\"")) {
                throw new IllegalStateException("no interval in " + answer);
            }
        }
        sampling.set(false);
        sampler.join();
        double[] p = plain.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        // The first question after the service started reads the workspace's touches into memory (JourneyStore), which
        // the later ones (and any within closedloop.reports.journeys-ttl of a question) find there: printed apart.
        double cold = bounded.get(0);
        double[] b = (bounded.size() > 1 ? bounded.subList(1, bounded.size()) : bounded).stream().mapToDouble(Double::doubleValue)
                .sorted().toArray();
        System.out.printf("figure:   with 90 %% intervals (1,000 resamples), %d quarters after the first: p50 %.0f ms, max %.0f ms;"
                + " each: %s%n", b.length, percentile(b, 0.5), b[b.length - 1],
                bounded.stream().map(v -> String.valueOf(Math.round(v))).toList());
        System.out.printf("cold:     the first, which read the workspace's touches into memory: %.0f ms%n", cold);
        System.out.printf("baseline: the same reports without intervals (read from the rollups): p50 %.0f ms, max %.0f ms%n",
                percentile(p, 0.5), p[p.length - 1]);
        System.out.printf("ratio:    %.1fx at p50%n", percentile(b, 0.5) / percentile(p, 0.5));
        System.out.printf("heap:     attribution's heap in use %d MB before, peak %d MB while computing (sampled every 20 ms)%n",
                idleHeap >> 20, peak.get() >> 20);
        System.out.printf("target:   <= 2000 ms (issue 22), touches in memory -> %s; the cold first question -> %s%n",
                b[b.length - 1] <= 2000 ? "met" : "NOT met", cold <= 2000 ? "met" : "NOT met");
        // The data-driven models: each resample refits the model over both bases' populations (RefitIntervals).
        String quarter = "period: {from: \"2025-04-01\", to: \"2025-06-29\"}";
        // 1,000 refits each, as the rule-based models' resamples (issue 22's target); the second waits out the on-demand
        // share the first spent, untimed.
        for (String model : List.of("SHAPLEY", "MARKOV")) {
            String report = "performance(" + quarter + ", model: {name: " + model + "}, basis: REVENUE, groupBy: CHANNEL";
            String fields = " { rows { edges { node { key credit interval { credit { lower upper } } } } } }";
            long t0 = System.nanoTime();
            post(http, attribution + "/graphql", token, "{ " + report + ")" + fields + " }");
            double plainMs = (System.nanoTime() - t0) / 1e6;
            Timed refits = timedOnDemand(http, attribution + "/graphql", token, "{ " + report + ", interval: {level: 0.9,"
                    + " resamples: 1000})" + fields + " }");
            String answer = refits.answer();
            double boundedMs = refits.millis();
            if (!answer.contains("\"lower\"")) {
                throw new IllegalStateException("no interval in " + answer);
            }
            System.out.printf("figure:   %s, a quarter (revenue basis), 90 %% intervals of 1,000 refits: %.0f ms; the report without:"
                    + " %.0f ms (ratio %.1fx); target <= 2000 ms -> %s%n", model, boundedMs, plainMs, boundedMs / plainMs,
                    boundedMs <= 2000 ? "met" : "NOT met");
        }
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /**
     * Issue 22, explainChange: what versioning costs on the write path (the same updates with the versions' trigger and
     * without, in this run) and how long explaining a quarter's change takes after restatements and re-sent touches. The
     * changes are written straight into the tables (not through the feeds), so the rollups do not see them and the
     * explanations' NOT_VERSIONED line is not meaningful here: only the times are.
     */
    private static void explain(HttpClient http, String attribution, String analyst, String admin, String url, String password)
            throws Exception {
        System.out.println("== explainChange: the cost of versioning, and a quarter's change explained ==");
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        String period = "period: {from: \"2025-04-01\", to: \"2025-06-30\"}";
        long s0 = System.nanoTime();
        String taken = post(http, attribution, admin, "mutation { createSnapshot(name: \"bench\", " + period + ", models: [{name: LINEAR}, {name: MARKOV}],"
                + " bases: [PIPELINE, REVENUE], groupBy: [CHANNEL]) { id } }");
        System.out.printf("createSnapshot (4 reports: LINEAR and MARKOV, both bases): %.0f ms%n", (System.nanoTime() - s0) / 1e6);
        String id = taken.replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
        try (Connection c = DriverManager.getConnection(url, "postgres", password); Statement st = c.createStatement()) {
            // Two disjoint sets of the same size, one written with versions kept and one without: deals restated, touches
            // re-sent with another campaign.
            String deals = "(select id from opportunity where workspace_id = '" + WS + "' and created_at >= '2025-04-01'"
                    + " and created_at < '2025-07-01' order by id limit 2000 offset %d)";
            String touches = "(select id from touch where workspace_id = '" + WS + "' and occurred_at >= '2025-03-01'"
                    + " and occurred_at < '2025-07-01' order by id limit 20000 offset %d)";
            double[] with = new double[2];
            double[] without = new double[2];
            for (int pass = 0; pass < 2; pass++) {
                boolean keep = pass == 0;
                st.execute("alter table opportunity " + (keep ? "enable" : "disable") + " trigger opportunity_versions");
                st.execute("alter table touch " + (keep ? "enable" : "disable") + " trigger touch_versions");
                long t0 = System.nanoTime();
                int d = st.executeUpdate("update opportunity set amount = amount * 1.1 where workspace_id = '" + WS + "' and id in "
                        + deals.formatted(keep ? 0 : 2000));
                double dealsMs = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                int t = st.executeUpdate("update touch set campaign = coalesce(campaign, '') || ' (restated)' where workspace_id = '"
                        + WS + "' and id in " + touches.formatted(keep ? 0 : 20000));
                double touchesMs = (System.nanoTime() - t1) / 1e6;
                (keep ? with : without)[0] = dealsMs;
                (keep ? with : without)[1] = touchesMs;
                System.out.printf("  %s versions: %,d deals restated in %.0f ms, %,d touches re-sent changed in %.0f ms%n",
                        keep ? "with" : "without", d, dealsMs, t, touchesMs);
            }
            st.execute("alter table opportunity enable trigger opportunity_versions");
            st.execute("alter table touch enable trigger touch_versions");
            System.out.printf("figure:   updates keeping their replaced version: deals %.0f ms, touches %.0f ms%n", with[0], with[1]);
            System.out.printf("baseline: the same updates without (trigger disabled): deals %.0f ms, touches %.0f ms%n",
                    without[0], without[1]);
            System.out.printf("ratio:    %.2fx (deals), %.2fx (touches); inserts keep nothing more than the 8-byte writer%n",
                    with[0] / without[0], with[1] / without[1]);
        }
        // What PostgreSQL is busy with while the explanations compute (a statement running over 5 s is printed).
        Thread watcher = new Thread(() -> {
            try (Connection c = DriverManager.getConnection(url, "postgres", password); Statement st = c.createStatement()) {
                while (true) {
                    Thread.sleep(5000);
                    ResultSet r = st.executeQuery("select extract(epoch from now() - query_start)::int, left(regexp_replace(query,"
                            + " '\\s+', ' ', 'g'), 300) from pg_stat_activity where state = 'active' and pid <> pg_backend_pid()"
                            + " and now() - query_start > interval '5 seconds'");
                    while (r.next()) {
                        System.out.println("  busy " + r.getInt(1) + " s: " + r.getString(2));
                    }
                }
            } catch (Exception e) {
                return;
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        List<Double> times = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        // Each explanation is charged to the workspace's on-demand share (the next waits, untimed, for it): LINEAR's revenue
        // total and paid_search's, and MARKOV's paid_search (each combination of causes refits the model over the quarter).
        for (String model : List.of("0", "1")) {
            for (String key : new String[]{null, "paid_search"}) {
                if (model.equals("1") && key == null) {
                    continue;
                }
                String basis = "REVENUE";
                Timed timed = timedOnDemand(http, attribution, analyst, "{ explainChange(from: \"" + id + "\", model: " + model
                        + ", basis: " + basis + (key == null ? "" : ", key: \"" + key + "\"") + ") { model amountThen amountNow"
                        + " causes { cause amount opportunityCount } } }");
                String answer = timed.answer();
                times.add(timed.millis());
                if (!answer.contains("\"CRM\"")) {
                    throw new IllegalStateException("no explanation in " + answer);
                }
                asked.add((model.equals("0") ? "LINEAR" : "MARKOV") + " " + basis.charAt(0) + "/" + (key == null ? "total" : key) + " "
                        + answer.replaceAll("(?s).*\"cause\":\"CRM\",\"amount\":([-0-9.E]+),\"opportunityCount\":(\\d+).*", "CRM $1 over $2 deals"));
            }
        }
        long b0 = System.nanoTime();
        post(http, attribution, analyst, "{ snapshotChange(id: \"" + id + "\", basis: REVENUE) { totals { amountNow } } }");
        double baseline = (System.nanoTime() - b0) / 1e6;
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.println("asked: " + asked);
        System.out.printf("figure:   explainChange of a quarter (revenue basis) after 2,000 restated deals and 20,000 changed touches, %d questions:"
                + " p50 %.0f ms, max %.0f ms; each: %s%n", sorted.length, percentile(sorted, 0.5), sorted[sorted.length - 1],
                times.stream().map(v -> String.valueOf(Math.round(v))).toList());
        System.out.printf("baseline: snapshotChange (the same report then beside now, no causes): %.0f ms%n", baseline);
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** Heap in use of a service (jvm_memory_used_bytes of its heap pools), from its /q/metrics. */
    private static long heapUsed(HttpClient http, String service) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(service + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long used = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return used;
    }

    /** The conversions of {@code day} in the public revenue report (attributed and unattributed), through the gateway. */
    private static double conversions(HttpClient http, String gateway, String token, LocalDate day) throws Exception {
        String body = post(http, gateway, token, "{ attribution(period: {from: \"" + day + "\", to: \"" + day + "\"}, basis: REVENUE,"
                + " model: {name: FIRST_TOUCH}, groupBy: CHANNEL) { attributedOpportunities unattributedOpportunities } }");
        io.vertx.core.json.JsonObject report = new io.vertx.core.json.JsonObject(body).getJsonObject("data").getJsonObject("attribution");
        return report.getInteger("attributedOpportunities") + report.getInteger("unattributedOpportunities");
    }

    private static double value(PreparedStatement count) throws Exception {
        try (ResultSet r = count.executeQuery()) {
            r.next();
            return r.getDouble(1);
        }
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /**
     * An answer computed on demand and how long the answering request took (ms): a request refused while the workspace's
     * on-demand share is spent (by the questions before) waits the time the refusal names and is asked again, untimed.
     */
    private record Timed(String answer, double millis) {
    }

    private static Timed timedOnDemand(HttpClient http, String url, String token, String query) throws Exception {
        while (true) {
            long t0 = System.nanoTime();
            try {
                String answer = post(http, url, token, query);
                return new Timed(answer, (System.nanoTime() - t0) / 1e6);
            } catch (IllegalStateException e) {
                java.util.regex.Matcher wait = java.util.regex.Pattern.compile("used its share.*retry in (\\d+) s")
                        .matcher(e.getMessage());
                if (!wait.find()) {
                    throw e;
                }
                System.out.println("  (the on-demand share is spent: waiting " + wait.group(1) + " s, untimed)");
                Thread.sleep(1000L * (Integer.parseInt(wait.group(1)) + 1));
            }
        }
    }

    private static String post(HttpClient http, String url, String token, String query) throws Exception {
        String body = "{\"query\": " + io.vertx.core.json.Json.encode(query) + "}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().contains("\"errors\"")) {
            throw new IllegalStateException(url + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
