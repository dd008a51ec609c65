package io.closedloop.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.DevKeys;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;
import io.closedloop.launcher.dataset.Reconciliation;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway benchmark (bench/gateway.sh, DESIGN §10, issue 18): the whole system on an embedded PostgreSQL,
 * the dataset loaded through ingestion's public APIs (Segment batches, GraphQL upserts) and carried
 * to attribution by the real feed consumers; then, with 20 concurrent clients (p50/p95/p99 after warm-up), the
 * performance report asked as analysts ask it (every request a question not asked before: period, rule-based model,
 * grouping) through the gateway and the same questions straight to attribution-service for the overhead ratio, with
 * the gateway's CPU per request; { __typename } (the gateway alone); 50 accounts across the three subgraphs (with
 * the subgraph calls per request); one question repeated (labelled CACHED); CUSTOM weights, a new vector each time.
 * Options: --accounts N (default 25000: Dataset.Size.BENCHMARK, 1,000,000 touches), --clients 20,
 * --mix N (issue 20's question mix, N requests per mix; --cache true keeps the gateway's answer cache on), --index-megabytes N,
 * --requests 2000, --warmup 2000 (C2 still compiles after 400), --custom-requests 200, --custom-warmup 1000, --work DIR (keep the loaded system there; a second run skips the
 * load), --load-only true (stop once attribution has caught up), --max-catch-up SECONDS (measure anyway after that long),
 * --cache-entries N (attribution's ReportCache; default 0: every answer computed), --profile DIR (JFR recordings of the gateway
 * and attribution there), --reconcile false (skip the reconciliation).
 * Each measurement also prints the CPU each process spent per request.
 */
public final class GatewayBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final LocalDate START = LocalDate.of(2025, 1, 1);
    private static final int DAYS = 365;
    /** The quarter reported on: opportunities are created mostly in the dataset's first two quarters. */
    private static final LocalDate QUARTER_FROM = LocalDate.of(2025, 4, 1);
    private static final LocalDate QUARTER_TO = LocalDate.of(2025, 6, 30);

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int accounts = Integer.parseInt(options.getOrDefault("accounts", String.valueOf(Dataset.Size.BENCHMARK.accounts())));
        int clients = Integer.parseInt(options.getOrDefault("clients", "20"));
        int requests = Integer.parseInt(options.getOrDefault("requests", "2000"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "2000"));
        int customRequests = Integer.parseInt(options.getOrDefault("custom-requests", "200"));
        int customWarmup = Integer.parseInt(options.getOrDefault("custom-warmup", "1000"));
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        int mix = Integer.parseInt(options.getOrDefault("mix", "0"));
        int dataDriven = Integer.parseInt(options.getOrDefault("data-driven", "0"));
        boolean mixCached = Boolean.parseBoolean(options.getOrDefault("cache", "false"));
        // --work DIR keeps PostgreSQL's files, the keys and the logs: a second run on the same DIR skips the load
        // (the data loaded through ingestion by the first run stays) and, when attribution's rollups were
        // invalidated by a migration since, lets attribution recompute them (recomputeRollups) before measuring.
        Path work = options.containsKey("work") ? Files.createDirectories(Path.of(options.get("work")).toAbsolutePath())
                : Files.createTempDirectory("closedloop-gateway-bench");
        Path loadedMarker = work.resolve("loaded.txt");
        boolean loadOnly = Boolean.parseBoolean(options.getOrDefault("load-only", "false"));
        long maxCatchUp = Long.parseLong(options.getOrDefault("max-catch-up", String.valueOf(Long.MAX_VALUE / 1000)));
        Dataset.Size benchmark = Dataset.Size.BENCHMARK;
        Dataset dataset = new Dataset(42, new Dataset.Size(accounts, benchmark.contactsPerAccount(), benchmark.touchesPerContact(),
                benchmark.opportunityShare()), START.atStartOfDay(ZoneOffset.UTC).toInstant(), DAYS);
        System.out.printf("closedloop gateway benchmark: %d cores, %d accounts (%,d touches), load generator on the same machine%n",
                Runtime.getRuntime().availableProcessors(), accounts,
                (long) accounts * benchmark.contactsPerAccount() * benchmark.touchesPerContact());

        try (PostgresServer postgres = PostgresServer.embedded(work.resolve("pgdata"), 0)) {
            DevKeys keys = DevKeys.in(work.resolve("keys"));
            try (ClosedLoopSystem system = ClosedLoopSystem.on(root, postgres, false, keys, "benchgw_")) {
                // Ingestion gets its write-key rate limit lifted (the other services would refuse the unknown properties).
                Map<ServiceName, Integer> ports = new HashMap<>();
                for (ServiceName s : ServiceName.values()) {
                    ports.put(s, 0); // a free port below the ephemeral range (ClosedLoopSystem.freePort)
                }
                system.start(EnumSet.of(ServiceName.INGESTION), ports, List.of("-Xmx1g",
                        "-Dclosedloop.ingestion.segment.rate-limit-per-second=1000000000",
                        "-Dclosedloop.ingestion.segment.rate-limit-burst=1000000000"), work.resolve("logs"));
                // --cache-entries 0 measures attribution with every answer computed (ReportCache off).
                String cacheEntries = options.getOrDefault("cache-entries", "0");
                // 3 GB: room for a resident rollup index (--index-megabytes); the full recompute itself fits 512 MB since it writes
                // its sums out in parts (closedloop.recompute.partition-memory); --attribution-heap changes it.
                List<String> attributionOptions = new ArrayList<>(List.of("-Xmx" + options.getOrDefault("attribution-heap", "3g"),
                        "-Dclosedloop.reports.cache-entries=" + cacheEntries));
                if (options.containsKey("index-megabytes")) {
                    // attribution's bound on the rollups' running sums it keeps (RollupIndex; default 192)
                    attributionOptions.add("-Dclosedloop.reports.index-megabytes=" + options.get("index-megabytes"));
                }
                if (dataDriven > 0) {
                    // --data-driven measures the computation with 5 clients of one workspace: its on-demand limits lifted.
                    attributionOptions.addAll(List.of("-Dclosedloop.reports.on-demand-per-workspace=5",
                            "-Dclosedloop.reports.on-demand-share=1000", "-Dclosedloop.reports.on-demand-waiting=100"));
                }
                if (options.containsKey("profile")) {
                    attributionOptions.addAll(List.of("-XX:FlightRecorderOptions:stackdepth=256", "-XX:StartFlightRecording=filename=" + options.get("profile") + "/attribution.jfr,settings=profile"));
                }
                system.start(EnumSet.of(ServiceName.IDENTITY), ports, List.of("-Xmx1g"), work.resolve("logs"));
                system.start(EnumSet.of(ServiceName.ATTRIBUTION), ports, attributionOptions, work.resolve("logs"));
                // The reconciliation asks Markov and Shapley over a quarter of 1M touches (every journey of the period, computed
                // on demand): longer than the gateway's default 10 s for interactive calls.
                // The gateway runs as its container image runs it: run-java.sh's collector (ParallelGC), a 512 MB heap.
                List<String> gatewayOptions = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseParallelGC", "-Dclosedloop.subgraph-timeout=180s"));
                if (mix > 0 && !mixCached) {
                    // --mix measures every question computed (issue 20): the gateway keeps no answer.
                    gatewayOptions.add("-Dclosedloop.answer-cache.max-bytes=0");
                }
                if (options.containsKey("profile")) {
                    gatewayOptions.addAll(List.of("-XX:FlightRecorderOptions:stackdepth=256", "-XX:StartFlightRecording=filename=" + options.get("profile") + "/gateway.jfr,settings=profile"));
                }
                system.start(EnumSet.of(ServiceName.GATEWAY), ports, gatewayOptions, work.resolve("logs"));
                CPU.put("gateway", system.service(ServiceName.GATEWAY).handle());
                CPU.put("attribution", system.service(ServiceName.ATTRIBUTION).handle());
                CPU.put("identity", system.service(ServiceName.IDENTITY).handle());
                CPU.put("ingestion", system.service(ServiceName.INGESTION).handle());
                CPU.put("load generator", ProcessHandle.current());
                String ingestion = system.service(ServiceName.INGESTION).url();
                String gateway = system.service(ServiceName.GATEWAY).url() + "/graphql";
                String attribution = system.service(ServiceName.ATTRIBUTION).url() + "/graphql";
                String workspace = "bench";
                String admin = system.tokens().mint("bench", workspace, List.of("admin"), Duration.ofHours(6));
                String analyst = system.tokens().mint("bench", workspace, List.of("analyst"), Duration.ofHours(6));
                Instant loadStart = Instant.now();
                long opportunities;
                if (Files.exists(loadedMarker)) {
                    List<String> marker = Files.readAllLines(loadedMarker);
                    opportunities = Long.parseLong(marker.get(0));
                    System.out.println("data loaded earlier in " + work + " (not loaded again): " + marker.get(1));
                    recomputeIfNotReady(attribution, admin);
                } else {
                    String writeKey = call(ingestion + "/graphql", admin, "mutation { createWriteKey(name: \"bench\") { key } }")
                            .path("data").path("createWriteKey").path("key").asText();
                    DemoLoader.Loaded loaded = new DemoLoader(ingestion, writeKey)
                            .load(dataset, system.tokens().mint("bench", workspace, List.of("ingest"), Duration.ofHours(6)));
                    String line = String.format("loaded through ingestion in %d s: %,d Segment messages, %,d accounts, %,d contacts, "
                                    + "%,d opportunities, %,d invoices, %,d spend rows", Duration.between(loadStart, Instant.now()).toSeconds(),
                            loaded.messages(), loaded.accounts(), loaded.contacts(), loaded.opportunities(), loaded.invoices(),
                            loaded.spendRows());
                    System.out.println(line);
                    opportunities = loaded.opportunities();
                    Files.write(loadedMarker, List.of(Long.toString(opportunities), line + " (" + Instant.now() + ")"));
                }
                awaitAttribution(gateway, analyst, attribution, admin, opportunities, loadStart, maxCatchUp);
                if (loadOnly) {
                    System.out.println("--load-only: stopping; run again with --work " + work + " to measure");
                    return;
                }

                if (dataDriven > 0) {
                    // --ingest true: the data-driven questions asked again while the workspace ingests a page a second.
                    String liveKey = Boolean.parseBoolean(options.getOrDefault("ingest", "false"))
                            ? call(ingestion + "/graphql", admin, "mutation { createWriteKey(name: \"bench-live\") { key } }")
                                    .path("data").path("createWriteKey").path("key").asText() : null;
                    QuestionMix.runDataDriven(gateway, analyst, dataDriven, ingestion, liveKey);
                }
                if (mix > 0) {
                    new QuestionMix(gateway, analyst, clients, mix).run(() -> answersKept(system.service(ServiceName.GATEWAY).url()),
                            name -> metric(system.service(ServiceName.ATTRIBUTION).url(), name), cacheEntries, mixCached);
                    return;
                }
                if (dataDriven > 0) {
                    return;
                }
                String period = "{from: \"" + QUARTER_FROM + "\", to: \"" + QUARTER_TO + "\"}";
                // Every figure of the report's rows and totals, as the dashboard asks for them.
                String rowFields = "{ key credit amount opportunities spend pipelineOpportunities pipeline wonDeals revenue newCustomers"
                        + " roi roas cac costPerOpportunity averageDealSize conversionRate medianDaysToConversion }";
                // As the dashboard asks: one document, the period, model and grouping as variables.
                String performance = "query Performance($period: PeriodInput!, $model: ModelInput!, $groupBy: Dimension!) {"
                        + " performance(period: $period, model: $model, groupBy: $groupBy) { rows { totalCount edges { node " + rowFields
                        + " } } totals " + rowFields + " } }";
                Map<String, Object> quarter = Map.of("from", QUARTER_FROM.toString(), "to", QUARTER_TO.toString());
                // Questions as analysts ask them: every request a different period, model and grouping, none asked before
                // (warm-up included), the same list sent through the gateway and straight to attribution-service.
                List<Map<String, Object>> questions = distinctQuestions(performance, warmup + requests);
                List<Map<String, Object>> warmupQuestions = questions.subList(0, warmup);
                List<Map<String, Object>> measured = questions.subList(warmup, questions.size());
                System.out.println("\nquery: channel performance over 90-day periods, " + questions.size() + " distinct questions (period,"
                        + " rule-based model, grouping), " + clients + " concurrent clients; attribution's report cache "
                        + (cacheEntries.equals("0") ? "off" : cacheEntries + " entries") + ", the gateway's answer cache on (never hit:"
                        + " no question repeats)");
                System.out.println("sample answer (gateway): " + call(gateway, analyst, questions.get(0)));
                // Both JVMs warm (JIT) before either is measured, each on questions of its own.
                run(gateway, analyst, warmupQuestions, clients, warmup);
                run(attribution, analyst, distinctQuestions(performance, 2 * warmup).subList(warmup, 2 * warmup), clients, warmup);
                idleCpu();
                Measured viaGateway = measure("gateway, distinct questions", gateway, analyst, measured, clients, requests);
                Measured direct = measure("attribution-service directly, the same", attribution, analyst, measured, clients, requests);
                // The same kind of questions with 4 clients: the machine is not saturated, so CPU per request is the work itself
                // rather than the work plus the cost of 20 requests contending for 2 cores.
                List<Map<String, Object>> fewer = distinctQuestions(performance, questions.size() + 1000).subList(questions.size(), questions.size() + 1000);
                Measured viaGatewayFew = measure("gateway, distinct questions, 4 clients", gateway, analyst, fewer.subList(0, 500), 4, 500);
                Measured directFew = measure("attribution-service directly, 4 clients", attribution, analyst, fewer.subList(500, 1000), 4, 500);
                // Where the gateway's own time goes: the same concurrency with no subgraph call at all.
                Measured typename = measure("gateway, { __typename } (no subgraph)", gateway, analyst, List.of(Map.of("query", "{ __typename }")),
                        clients, requests);
                // A question across the three subgraphs: 50 accounts (identity), their CRM deals (ingestion) and each deal's
                // W-shaped journey (attribution), a different 50 each request.
                List<Map<String, Object>> crossQuestions = crossSubgraphQuestions(dataset, accounts, 2 * Math.min(requests, 200));
                run(gateway, analyst, crossQuestions.subList(0, crossQuestions.size() / 2), clients, crossQuestions.size() / 2);
                Map<String, Double> callsBefore = subgraphCalls(system.service(ServiceName.GATEWAY).url());
                Measured cross = measure("gateway, 50 accounts across 3 subgraphs", gateway, analyst,
                        crossQuestions.subList(crossQuestions.size() / 2, crossQuestions.size()), clients, crossQuestions.size() / 2);
                Map<String, Double> callsAfter = subgraphCalls(system.service(ServiceName.GATEWAY).url());
                StringBuilder calls = new StringBuilder("  subgraph calls per request:");
                callsAfter.forEach((graph, n) -> calls.append(String.format(" %s %.2f;", graph,
                        (n - callsBefore.getOrDefault(graph, 0.0)) / (crossQuestions.size() / 2))));
                System.out.println(calls);
                // Labelled cached: one question asked over and over; every answer checked against the subgraph's data version.
                Measured cached = measure("gateway, one question repeated (CACHED)", gateway, analyst, List.of(questions.get(0)), clients, requests);
                Measured gatewayCustom = null;
                String refused = customRequests == 0 ? null : refusal(gateway, analyst, performance, quarter);
                if (customRequests == 0) {
                    System.out.println("gateway, CUSTOM weights: not measured (--custom-requests 0)");
                } else if (refused != null) {
                    System.out.println("gateway, CUSTOM weights: refused: " + refused);
                } else {
                    // A new weight vector every request: never an answer anyone kept.
                    List<Map<String, Object>> weights = customQueries(performance, quarter, customWarmup + customRequests);
                    run(gateway, analyst, weights.subList(0, customWarmup), clients, customWarmup);
                    gatewayCustom = measure("gateway, CUSTOM (new weights each)", gateway, analyst,
                            weights.subList(customWarmup, weights.size()), clients, customRequests);
                }

                boolean reconciled = !Boolean.parseBoolean(options.getOrDefault("reconcile", "true"))
                        || Reconciliation.holds(q -> call(gateway, analyst, q), period);

                System.out.println("\n== figures (shared machine: load generator, PostgreSQL and four services on the same cores) ==");
                System.out.println("reconciliation (every model: credited revenue across channels = won revenue in scope): "
                        + (reconciled ? "holds" : "FAILS"));
                System.out.printf("gateway CPU per distinct single-subgraph report: %.2f ms (target <= 2 ms): %s; { __typename }: %.2f ms%n",
                        viaGateway.cpu().get("gateway"), viaGateway.cpu().get("gateway") <= 2 ? "met" : "NOT met", typename.cpu().get("gateway"));
                overhead("gateway overhead on distinct questions", viaGateway, direct);
                System.out.printf("  with 4 clients (machine not saturated): gateway CPU %.2f ms per request; p95 %.1f ms vs %.1f ms direct%n",
                        viaGatewayFew.cpu().get("gateway"), viaGatewayFew.p()[1], directFew.p()[1]);
                System.out.printf("across 3 subgraphs (50 accounts): p50 %.1f ms, p95 %.1f ms, gateway CPU %.2f ms per request%n",
                        cross.p()[0], cross.p()[1], cross.cpu().get("gateway"));
                System.out.printf("one question repeated (CACHED, version-checked): p50 %.1f ms, p95 %.1f ms, gateway CPU %.2f ms%n",
                        cached.p()[0], cached.p()[1], cached.cpu().get("gateway"));
                if (gatewayCustom != null) {
                    System.out.printf("CUSTOM weights through the gateway: p95 %.1f ms (target <= 500 ms): %s%n", gatewayCustom.p()[1],
                            gatewayCustom.p()[1] <= 500 ? "met" : "NOT met");
                }
            }
        }
        System.out.println("(service logs: " + work.resolve("logs") + ")");
    }

    /** Starts a full recompute of the rollups when attribution says they are not ready, and waits until it is done. */
    private static void recomputeIfNotReady(String attribution, String admin) throws Exception {
        JsonNode progress = call(attribution, admin, "{ rollupRecompute { state ready } }").path("data").path("rollupRecompute");
        if (progress.path("ready").asBoolean()) {
            return;
        }
        Instant start = Instant.now();
        System.out.println("attribution's rollups are not ready (a migration invalidated them): recomputeRollups");
        // The claim waits for the rollup lock, which busy feed pages may hold past the lock timeout: retry.
        for (int attempt = 0; ; attempt++) {
            JsonNode answer = call(attribution, admin, "mutation { recomputeRollups { state } }");
            if (!answer.hasNonNull("errors")) {
                break;
            }
            System.out.println("  recomputeRollups refused, retrying: " + answer.path("errors").path(0).path("message").asText());
            if (attempt == 20) {
                throw new IllegalStateException("recomputeRollups failed: " + answer);
            }
        }
        while (true) {
            Thread.sleep(2000);
            progress = call(attribution, admin, "{ rollupRecompute { state ready accountsDone accountsTotal } }")
                    .path("data").path("rollupRecompute");
            if (progress.path("ready").asBoolean() && progress.path("state").asText().equals("DONE")) {
                break;
            }
            if (progress.path("state").asText().equals("FAILED")) {
                throw new IllegalStateException("recomputeRollups failed: " + progress);
            }
        }
        System.out.printf("rollups recomputed in %d s%n", Duration.between(start, Instant.now()).toSeconds());
    }

    /**
     * Waits until the rollups are ready (a far-behind feed puts attribution in catch-up mode, which ends with a full
     * recompute) and the LINEAR pipeline credit over the whole dataset stops growing (the feeds are consumed).
     */
    private static void awaitAttribution(String gateway, String token, String attribution, String admin, long opportunities,
                                         Instant loadStart, long maxSeconds) throws Exception {
        Instant deadline = Instant.now().plusSeconds(maxSeconds);
        String query = "{ performance(period: {from: \"" + START + "\", to: \"" + START.plusDays(DAYS + 120) + "\"}, model: {name: LINEAR}) "
                + "{ totals { credit } } }";
        double last = -1;
        int stable = 0;
        while (stable < 3) {
            if (Instant.now().isAfter(deadline)) {
                System.out.printf("attribution NOT caught up after --max-catch-up %d s: measuring while its feed consumers still"
                        + " work through the backlog (figures on partly consumed data, and with that load on the machine)%n", maxSeconds);
                return;
            }
            Thread.sleep(5000);
            JsonNode rollups = call(attribution, admin, "{ rollupRecompute { state ready accountsDone accountsTotal } }")
                    .path("data").path("rollupRecompute");
            if (!rollups.path("ready").asBoolean()) {
                stable = 0;
                System.out.printf("  attribution: rollups not ready (catch-up mode, or recompute %s %d/%d accounts; %d s after the"
                                + " load began)%n", rollups.path("state").asText(), rollups.path("accountsDone").asInt(),
                        rollups.path("accountsTotal").asInt(), Duration.between(loadStart, Instant.now()).toSeconds());
                continue;
            }
            JsonNode answer = call(gateway, token, query);
            double credit = answer.path("data").path("performance").path("totals").path("credit").asDouble();
            stable = credit > 0 && Math.abs(credit - last) < 1e-6 ? stable + 1 : 0;
            last = credit;
            System.out.printf("  attribution: %.0f of %d opportunities credited (%d s after the load began)%s%n", credit, opportunities,
                    Duration.between(loadStart, Instant.now()).toSeconds(), answer.hasNonNull("errors") ? " " + answer.path("errors") : "");
        }
        System.out.printf("attribution caught up %d s after the load began%n", Duration.between(loadStart, Instant.now()).toSeconds());
    }

    /** The CPU of these processes is read around each measurement (PostgreSQL: every process named postgres). */
    private static final Map<String, ProcessHandle> CPU = new java.util.LinkedHashMap<>();

    /**
     * The CUSTOM performance report with {@code count} different weight vectors (all &gt; 0, summing to 1), so no
     * answer is served from attribution's cache: each request is computed from the rollups' custom components.
     */
    private static List<Map<String, Object>> customQueries(String performance, Map<String, Object> period, int count) {
        List<Map<String, Object>> bodies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int ft = 200 + i % 97;
            int lc = 100 + (i / 97) % 89;
            int oc = 150 + i % 53;
            int cw = 150 + i % 61;
            int middle = 1000 - ft - lc - oc - cw;
            Map<String, Object> weights = Map.of("ft", ft / 1000.0, "lc", lc / 1000.0, "oc", oc / 1000.0, "cw", cw / 1000.0,
                    "middle", middle / 1000.0);
            bodies.add(Map.of("query", performance, "variables", Map.of("period", period, "groupBy", "CHANNEL",
                    "model", Map.of("name", "CUSTOM", "weights", weights))));
        }
        return bodies;
    }

    /** Why the gateway refuses the CUSTOM report, or null when it answers it. */
    private static String refusal(String gateway, String analyst, String performance, Map<String, Object> quarter) throws Exception {
        JsonNode answer = call(gateway, analyst, Map.of("query", performance, "variables", Map.of("period", quarter, "groupBy", "CHANNEL",
                "model", Map.of("name", "CUSTOM", "weights", Map.of("ft", 0.3, "lc", 0.2, "oc", 0.2, "cw", 0.2, "middle", 0.1)))));
        return answer.hasNonNull("errors") ? answer.path("errors").path(0).path("message").asText() : null;
    }

    /** Percentiles (ms) and the CPU each process spent per request (ms). */
    record Measured(double[] p, Map<String, Double> cpu) {
    }

    /**
     * {@code requests} calls from {@code clients} threads (request i sends body i mod n); prints p50, p95, p99 (ms), the
     * machine's load average and the CPU each process spent per request.
     */
    static Measured measure(String label, String url, String token, List<Map<String, Object>> bodies, int clients, int requests)
            throws Exception {
        Map<String, Long> cpuBefore = cpuMillis();
        Instant start = Instant.now();
        double[] latencies = run(url, token, bodies, clients, requests);
        Map<String, Long> cpuAfter = cpuMillis();
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        if (latencies.length == 0) {
            System.out.printf("%-44s every request failed%n", label);
            return new Measured(new double[] {Double.NaN, Double.NaN, Double.NaN}, Map.of());
        }
        double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        Arrays.sort(latencies);
        double[] p = {percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99)};
        System.out.printf("%-44s p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  (%d answered of %d, %.1f req/s; load average %s)%n", label,
                p[0], p[1], p[2], latencies.length, requests, latencies.length / seconds, load);
        Map<String, Double> cpu = new java.util.LinkedHashMap<>();
        StringBuilder line = new StringBuilder("  CPU per request:");
        cpuAfter.forEach((process, millis) -> {
            double perRequest = (double) (millis - cpuBefore.getOrDefault(process, 0L)) / requests;
            cpu.put(process, perRequest);
            line.append(String.format(" %s %.2f ms;", process, perRequest));
        });
        System.out.println(line + String.format(" (wall %.1f s on %d cores)", seconds, Runtime.getRuntime().availableProcessors()));
        return new Measured(p, cpu);
    }

    private static void overhead(String label, Measured gateway, Measured direct) {
        double p95 = gateway.p()[1] / direct.p()[1];
        System.out.printf("%s: p50 %.1f vs %.1f ms direct (baseline) = %.2fx; p95 %.1f vs %.1f ms = %.2fx (target <= 1.5x): %s%n", label,
                gateway.p()[0], direct.p()[0], gateway.p()[0] / direct.p()[0], gateway.p()[1], direct.p()[1], p95, p95 <= 1.5 ? "met" : "NOT met");
    }

    /**
     * {@code count} different performance questions (a 90-day period starting on one of 150 days, a rule-based model, a
     * grouping), in an order where consecutive ones differ in all three.
     */
    private static List<Map<String, Object>> distinctQuestions(String performance, int count) {
        List<String> models = List.of("FIRST_TOUCH", "LAST_TOUCH", "LAST_NON_DIRECT", "LINEAR", "U_SHAPED", "W_SHAPED", "FULL_PATH",
                "J_SHAPED", "INVERSE_J");
        List<String> groupings = List.of("CHANNEL", "SOURCE", "MEDIUM", "TOUCH_TYPE");
        int days = 150;
        if (count > models.size() * groupings.size() * days) {
            throw new IllegalArgumentException("at most " + models.size() * groupings.size() * days + " distinct questions");
        }
        List<Map<String, Object>> questions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LocalDate from = QUARTER_FROM.minusDays(60).plusDays(i % days);
            String model = models.get((i / days + i) % models.size());
            String grouping = groupings.get((i / (days * models.size()) + i) % groupings.size());
            questions.add(Map.of("query", performance, "variables", Map.of("period", Map.of("from", from.toString(),
                    "to", from.plusDays(89).toString()), "model", Map.of("name", model), "groupBy", grouping)));
        }
        if (questions.stream().map(Object::toString).distinct().count() != count) {
            throw new IllegalStateException("the questions are not distinct");
        }
        return questions;
    }

    /** {@code count} questions across the three subgraphs, each over a different window of 50 accounts. */
    private static List<Map<String, Object>> crossSubgraphQuestions(Dataset dataset, int accounts, int count) {
        String query = "query($ids: [String!]!) { accountsById(id: $ids) { id name domains persons { id } industry"
                + " opportunities(first: 20) { totalCount edges { node { id name amount status journey(model: {name: W_SHAPED}) {"
                + " model amount touches { touchId credit amount milestones } } } } } } }";
        List<Map<String, Object>> questions = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            List<String> ids = new ArrayList<>();
            for (int a = 0; a < 50; a++) {
                ids.add(dataset.account((q * 50 + a) % accounts).account().id());
            }
            questions.add(Map.of("query", query, "variables", Map.of("ids", ids)));
        }
        return questions;
    }

    /** The gateway's subgraph calls so far (its closedloop_gateway_subgraph_calls_total metric). */
    private static Map<String, Double> subgraphCalls(String gatewayUrl) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Double> calls = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^closedloop_gateway_subgraph_calls_total\\{[^}]*subgraph=\"(\\w+)\"[^}]*} (\\S+)$")
                .matcher(metrics);
        while (m.find()) {
            calls.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return calls;
    }

    /** The answers the gateway served from its answer cache so far (closedloop_gateway_answers_total{how="kept"}). */
    private static double answersKept(String gatewayUrl) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^closedloop_gateway_answers_total\\{[^}]*how=\"kept\"[^}]*} (\\S+)$")
                    .matcher(metrics);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A metric of a service's /q/metrics, summed over its series (0 when it has none). */
    static double metric(String serviceUrl, String name) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(serviceUrl + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(metrics);
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group(2));
            }
            return sum;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the system spends with no request at all (feed polling, timers): it competes with every measurement. */
    static void idleCpu() throws InterruptedException {
        Map<String, Long> before = cpuMillis();
        Thread.sleep(10_000);
        Map<String, Long> after = cpuMillis();
        StringBuilder cpu = new StringBuilder("idle, CPU per second:");
        after.forEach((process, millis) -> cpu.append(String.format(" %s %.1f ms;", process,
                (millis - before.getOrDefault(process, 0L)) / 10.0)));
        System.out.println(cpu);
    }

    private static Map<String, Long> cpuMillis() {
        Map<String, Long> millis = new java.util.LinkedHashMap<>();
        CPU.forEach((name, process) -> millis.put(name, process.info().totalCpuDuration().map(Duration::toMillis).orElse(0L)));
        millis.put("PostgreSQL", ProcessHandle.allProcesses()
                .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .mapToLong(h -> h.info().totalCpuDuration().map(Duration::toMillis).orElse(0L)).sum());
        return millis;
    }

    /** Latencies of {@code requests} calls; a call answered with errors (or not 200) is counted and reported, not timed. */
    static double[] run(String url, String token, List<Map<String, Object>> requestBodies, int clients, int count)
            throws Exception {
        double[] latencies = new double[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        String[] firstFailure = {null};
        List<byte[]> bodies = new ArrayList<>();
        for (Map<String, Object> body : requestBodies) {
            bodies.add(JSON.writeValueAsBytes(body));
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    try (KeepAliveConnection connection = new KeepAliveConnection(url)) {
                        List<byte[]> requests = bodies.stream().map(b -> connection.post(token, b)).toList();
                        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                            long t0 = System.nanoTime();
                            KeepAliveConnection.Answer answer = connection.send(requests.get(i % requests.size()));
                            latencies[i] = (System.nanoTime() - t0) / 1e6;
                            String start = new String(answer.body(), 0, Math.min(12, answer.body().length));
                            if (answer.status() != 200 || start.contains("errors")) {
                                latencies[i] = Double.NaN;
                                if (failed.getAndIncrement() == 0) {
                                    firstFailure[0] = "HTTP " + answer.status() + ": " + new String(answer.body());
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (failed.get() > 0) {
            System.out.printf("  %d of %d requests failed; the first: %s%n", failed.get(), count, firstFailure[0]);
        }
        return Arrays.stream(latencies).filter(v -> !Double.isNaN(v)).toArray();
    }

    private static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static HttpRequest request(String url, String token, byte[] body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(200))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static JsonNode call(String url, String token, String query) throws IOException, InterruptedException {
        return call(url, token, Map.of("query", query));
    }

    private static JsonNode call(String url, String token, Map<String, Object> body) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request(url, token, JSON.writeValueAsBytes(body)), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + url + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }
}
