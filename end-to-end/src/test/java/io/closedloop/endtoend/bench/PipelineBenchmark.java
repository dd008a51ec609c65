package io.closedloop.endtoend.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.DevKeys;
import io.closedloop.launcher.KafkaBroker;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.ServiceProcess;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;
import io.closedloop.launcher.dataset.Reconciliation;
import org.postgresql.PGConnection;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bench/pipeline.sh (issue 19): the benchmark dataset loaded through the public APIs exactly as {@link DemoLoader} loads
 * it into a fresh system (every service at the same heap bound, 512 MB by default), timed stage by stage until every
 * report is ready; then, in the same run, COPY of the rows ingestion stored (touches, identity facts, CRM rows, revenue,
 * spend) into ingestion's tables in a fresh database: the physical limit the whole pipeline is compared with. After the
 * load: the reconciliation of the 13 models through the gateway, and the rollups' reports of sampled weeks equal to the
 * same credits computed from the opportunities' journeys on demand.
 */
public final class PipelineBenchmark {

    private static final LocalDate START = LocalDate.of(2025, 1, 1);
    private static final int DAYS = 365;
    private static final String WORKSPACE = "bench";
    /** What ingestion stores of the input, in the order COPY fills them. */
    private static final List<String> INPUT_TABLES = List.of("touch", "identity_fact", "crm_account", "crm_contact",
            "crm_opportunity", "revenue", "spend");
    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int accounts = Integer.parseInt(options.getOrDefault("accounts", String.valueOf(Dataset.Size.BENCHMARK.accounts())));
        String transport = options.getOrDefault("transport", "postgresql");
        if (!transport.equals("postgresql") && !transport.equals("kafka")) {
            throw new IllegalArgumentException("--transport: postgresql or kafka, was " + transport);
        }
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "1"));
        String heap = options.getOrDefault("heap", "512m");
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("closedloop-pipeline-bench");
        Path logs = work.resolve("logs");
        Dataset.Size benchmark = Dataset.Size.BENCHMARK;
        Dataset dataset = new Dataset(42, new Dataset.Size(accounts, benchmark.contactsPerAccount(), benchmark.touchesPerContact(),
                benchmark.opportunityShare()), START.atStartOfDay(ZoneOffset.UTC).toInstant(), DAYS);
        System.out.printf("closedloop pipeline benchmark: %d cores, %d accounts (about %,d touches), transport %s (%d partition(s)),"
                        + " every service -Xmx%s, load average %s%n", Runtime.getRuntime().availableProcessors(), accounts,
                (long) accounts * benchmark.contactsPerAccount() * benchmark.touchesPerContact(), transport, partitions, heap,
                BenchCalls.loadAverage());

        try (PostgresServer postgres = PostgresServer.embedded(work.resolve("pgdata"), 0)) {
            long postgresPid = Long.parseLong(Files.readAllLines(work.resolve("pgdata").resolve("postmaster.pid")).get(0).strip());
            DevKeys keys = DevKeys.in(work.resolve("keys"));
            // The COPY's fresh database: ingestion's schema as its migrations make it, before any input.
            try (ClosedLoopSystem empty = ClosedLoopSystem.on(root, postgres, false, keys, "copy_")) {
                empty.start(EnumSet.of(ServiceName.INGESTION), BenchCalls.freePorts(), List.of("-Xmx" + heap), logs.resolve("copy"));
            }
            Loaded load;
            try (KafkaBroker kafka = transport.equals("kafka") ? KafkaBroker.start(root, work.resolve("kafka"), ClosedLoopSystem.freePort(),
                    ClosedLoopSystem.freePort(), logs.resolve("kafka.log")) : null;
                 ClosedLoopSystem system = ClosedLoopSystem.on(root, postgres, false, keys, "pipe_")) {
                if (kafka != null) {
                    system.feedsOverKafka(kafka.bootstrapServers(), partitions);
                } else {
                    system.environment(ServiceName.IDENTITY, "CLOSEDLOOP_FEEDS_PARTITIONS", Integer.toString(partitions))
                            .environment(ServiceName.ATTRIBUTION, "CLOSEDLOOP_FEEDS_PARTITIONS", Integer.toString(partitions));
                }
                system.environment(ServiceName.INGESTION, "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_PER_SECOND", "1000000000")
                        .environment(ServiceName.INGESTION, "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_BURST", "1000000000");
                Map<ServiceName, Integer> ports = BenchCalls.freePorts();
                for (ServiceName service : List.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION, ServiceName.GATEWAY)) {
                    // A service out of memory stops (and the benchmark with it) instead of limping on; its GC log gives its peak heap.
                    List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError",
                            "-Xlog:gc:file=" + logs.resolve(service.module() + "-gc.log")));
                    if (options.containsKey("profile")) {
                        jvm.add("-XX:StartFlightRecording=filename=" + Path.of(options.get("profile")).toAbsolutePath()
                                .resolve(service.module() + ".jfr") + ",settings=profile");
                    }
                    system.start(EnumSet.of(service), ports, jvm, logs);
                }
                try {
                    load = load(system, postgres, postgresPid, kafka, dataset);
                } catch (Exception e) {
                    alive(system); // a call failed because a service stopped: say which and why
                    throw e;
                }
            }
            String maintenance = maintenance(postgres);
            Copied copied = copy(postgres, work.resolve("copy"));
            summary(load, copied, logs);
            System.out.println(maintenance);
        } finally {
            // Gigabytes of database files and copies: only the logs are kept.
            for (String bulky : List.of("pgdata", "kafka", "copy")) {
                deleteTree(work.resolve(bulky));
            }
        }
        System.out.println("(service logs: " + logs + ")");
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A moment of the load: when it was reached and every process's CPU by then. */
    private record Stage(String name, Instant at, Map<String, Long> cpuMillis) {
    }

    private record Loaded(DemoLoader.Loaded input, Instant started, List<Stage> stages, boolean reconciled, boolean journeysEqual) {
    }

    private static Loaded load(ClosedLoopSystem system, PostgresServer postgres, long postgresPid, KafkaBroker kafka, Dataset dataset)
            throws Exception {
        Map<String, ProcessHandle> processes = new LinkedHashMap<>();
        processes.put("ingestion", system.service(ServiceName.INGESTION).handle());
        processes.put("identity", system.service(ServiceName.IDENTITY).handle());
        processes.put("attribution", system.service(ServiceName.ATTRIBUTION).handle());
        processes.put("gateway", system.service(ServiceName.GATEWAY).handle());
        if (kafka != null) {
            processes.put("Kafka broker", kafka.handle());
        }
        processes.put("load generator", ProcessHandle.current());
        String ingestion = system.service(ServiceName.INGESTION).url();
        String attribution = system.service(ServiceName.ATTRIBUTION).url();
        String gateway = system.service(ServiceName.GATEWAY).url();
        String admin = system.tokens().mint("bench", WORKSPACE, List.of("admin"), Duration.ofHours(6));
        String analyst = system.tokens().mint("bench", WORKSPACE, List.of("analyst"), Duration.ofHours(6));
        String service = system.tokens().mintService("bench", ServiceName.allFeeds(), Duration.ofHours(6));
        String writeKey = BenchCalls.call(ingestion, admin, "mutation { createWriteKey(name: \"bench\") { key } }")
                .path("data").path("createWriteKey").path("key").asText();

        List<Stage> stages = new ArrayList<>();
        Instant started = Instant.now();
        stages.add(new Stage("start", started, cpuMillis(processes, postgresPid)));
        // Every process's CPU each second while loading: what each part of the load cost, and whom.
        List<Stage> samples = java.util.Collections.synchronizedList(new ArrayList<>(List.of(stages.get(0))));
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> samples.add(new Stage("", Instant.now(), cpuMillis(processes, postgresPid))), 1, 1,
                java.util.concurrent.TimeUnit.SECONDS);
        DemoLoader.Loaded input;
        try {
            input = new DemoLoader(ingestion, writeKey)
                    .load(dataset, system.tokens().mint("bench", WORKSPACE, List.of("ingest"), Duration.ofHours(6)));
        } finally {
            sampler.shutdownNow();
            sampler.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        stages.add(new Stage("ingestion acknowledged", Instant.now(), cpuMillis(processes, postgresPid)));
        samples.add(stages.get(1));
        System.out.printf("ingestion acknowledged %,d Segment messages, %,d accounts, %,d contacts, %,d opportunities, %,d invoices,"
                        + " %,d spend rows after %.1f s%n", input.messages(), input.accounts(), input.contacts(), input.opportunities(),
                input.invoices(), input.spendRows(), seconds(started, Instant.now()));
        System.out.println("  parts of the load (CPU seconds of each process within the part, from samples a second apart):");
        Instant partStart = started;
        for (Map.Entry<String, Duration> part : input.took().entrySet()) {
            Instant partEnd = partStart.plus(part.getValue());
            Stage from = sampleAt(samples, partStart);
            Stage to = sampleAt(samples, partEnd);
            System.out.printf("  %-18s %6.1f s: %s%n", part.getKey(), part.getValue().toMillis() / 1000.0, cpuBetween(from, to));
            partStart = partEnd;
        }
        for (ServiceName consumer : List.of(ServiceName.IDENTITY, ServiceName.ATTRIBUTION)) {
            while (!BenchCalls.behind(system, postgres, "pipe_", service, consumer).isEmpty()) {
                alive(system);
                Thread.sleep(1000);
            }
            stages.add(new Stage(consumer.module().replace("-service", "") + " caught up", Instant.now(), cpuMillis(processes, postgresPid)));
            System.out.printf("%s caught up after %.1f s%n", consumer.module(), seconds(started, Instant.now()));
        }
        while (!BenchCalls.call(attribution, admin, "{ rollupRecompute { ready } }").path("data").path("rollupRecompute")
                .path("ready").asBoolean()) {
            alive(system);
            Thread.sleep(1000);
        }
        stages.add(new Stage("rollups ready", Instant.now(), cpuMillis(processes, postgresPid)));
        System.out.printf("rollups ready after %.1f s%n", seconds(started, Instant.now()));
        // Every report ready: the LINEAR credit of the whole dataset through the gateway the same three times a second apart
        // (the stage ends when that value was first answered).
        String linear = "{ performance(period: {from: \"" + START + "\", to: \"" + START.plusDays(DAYS + 120) + "\"},"
                + " model: {name: LINEAR}) { totals { credit } } }";
        double last = Double.NaN;
        Stage firstSeen = null;
        for (int same = 0; same < 3; ) {
            alive(system);
            double credit = BenchCalls.call(gateway, analyst, linear).path("data").path("performance").path("totals").path("credit").asDouble();
            if (credit == last) {
                same++;
            } else {
                same = 1;
                last = credit;
                firstSeen = new Stage("every report ready", Instant.now(), cpuMillis(processes, postgresPid));
            }
            Thread.sleep(1000);
        }
        stages.add(firstSeen);
        System.out.printf("every report ready after %.1f s (the whole dataset's LINEAR credit %.4f of %,d opportunities)%n",
                seconds(started, firstSeen.at()), last, input.opportunities());

        String quarter = "{from: \"2025-04-01\", to: \"2025-06-30\"}";
        boolean reconciled = Reconciliation.holds(q -> BenchCalls.answer(gateway, analyst, q), quarter);
        boolean journeysEqual = journeysEqual(attribution, analyst);
        return new Loaded(input, started, stages, reconciled, journeysEqual);
    }

    /**
     * The rollups' channel credits (performance, PIPELINE) of four sampled weeks under two models equal, within a relative
     * 1e-9, the per-opportunity credits of the same question computed from each opportunity's journey on demand
     * (creditedOpportunities), summed per channel.
     */
    private static boolean journeysEqual(String attribution, String analyst) throws Exception {
        boolean equal = true;
        int compared = 0;
        System.out.println("\nrollups vs journeys on demand (PIPELINE, by channel):");
        for (LocalDate from : List.of(LocalDate.of(2025, 2, 3), LocalDate.of(2025, 4, 14), LocalDate.of(2025, 6, 23), LocalDate.of(2025, 9, 1))) {
            String period = "{from: \"" + from + "\", to: \"" + from.plusDays(6) + "\"}";
            for (String model : List.of("{name: LINEAR}", "{name: TIME_DECAY}")) {
                JsonNode rows = BenchCalls.call(attribution, analyst, "{ performance(period: " + period + ", model: " + model
                        + ", groupBy: CHANNEL, first: 1000) { rows { edges { node { key credit } } } } }")
                        .path("data").path("performance").path("rows").path("edges");
                for (JsonNode edge : rows) {
                    String key = edge.path("node").path("key").asText();
                    double fromRollups = edge.path("node").path("credit").asDouble();
                    double fromJourneys = 0;
                    String after = null;
                    do {
                        JsonNode page = BenchCalls.call(attribution, analyst, "{ creditedOpportunities(period: " + period + ", model: "
                                + model + ", groupBy: CHANNEL, key: \"" + key + "\", first: 1000" + (after == null ? "" : ", after: \"" + after + "\"")
                                + ") { edges { node { credit } } pageInfo { hasNextPage endCursor } } }").path("data").path("creditedOpportunities");
                        for (JsonNode o : page.path("edges")) {
                            fromJourneys += o.path("node").path("credit").asDouble();
                        }
                        after = page.path("pageInfo").path("hasNextPage").asBoolean() ? page.path("pageInfo").path("endCursor").asText() : null;
                    } while (after != null);
                    compared++;
                    if (Math.abs(fromRollups - fromJourneys) > 1e-9 * Math.max(1, Math.abs(fromJourneys))) {
                        equal = false;
                        System.out.printf("  %s %s %s: rollups %.12f, journeys %.12f: DIFFER%n", from, model, key, fromRollups, fromJourneys);
                    }
                }
            }
        }
        System.out.printf("  %d (week, model, channel) credits compared: %s%n", compared, equal ? "equal" : "NOT equal");
        return equal && compared > 0;
    }

    /** The sample taken closest to {@code at}. */
    private static Stage sampleAt(List<Stage> samples, Instant at) {
        Stage best = samples.get(0);
        for (Stage s : samples) {
            if (Math.abs(Duration.between(s.at(), at).toMillis()) < Math.abs(Duration.between(best.at(), at).toMillis())) {
                best = s;
            }
        }
        return best;
    }

    /** Each process's CPU seconds from one moment to another, and their sum. */
    private static String cpuBetween(Stage before, Stage stage) {
        StringBuilder cpu = new StringBuilder();
        double cores = 0;
        // Every process of either moment: a database whose backends all closed in between has CPU before only.
        java.util.Set<String> names = new java.util.LinkedHashSet<>(stage.cpuMillis().keySet());
        names.addAll(before.cpuMillis().keySet());
        for (String name : names) {
            double s = (stage.cpuMillis().getOrDefault(name, 0L) - before.cpuMillis().getOrDefault(name, 0L)) / 1000.0;
            cores += s;
            cpu.append(String.format("%s %.1f; ", name, s));
        }
        return String.format("%.1f core-seconds (%s)", cores, cpu.toString().replaceFirst("; $", ""));
    }

    /** The COPY baseline: each input table's rows, as ingestion stored them, copied into the fresh database. */
    private record Copied(Map<String, Long> rows, double seconds) {
        long total() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * What PostgreSQL's processes that exited did, per database of the load: the sessions opened (each a backend started,
     * authenticated and ended), and the autovacuum and autoanalyze runs of its tables.
     */
    private static String maintenance(PostgresServer postgres) throws Exception {
        StringBuilder out = new StringBuilder("PostgreSQL sessions and autovacuum runs during the load:");
        for (ServiceName service : List.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION)) {
            String database = "pipe_" + service.database();
            try (Connection c = postgres.connectAsAdmin(database); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select (select sessions from pg_stat_database where datname = current_database()),"
                         + " sum(autovacuum_count), sum(autoanalyze_count) from pg_stat_user_tables")) {
                r.next();
                out.append(String.format(" %s %,d sessions, %d autovacuums, %d autoanalyzes;", database, r.getLong(1), r.getLong(2),
                        r.getLong(3)));
            }
        }
        return out.toString().replaceFirst(";$", "");
    }

    private static Copied copy(PostgresServer postgres, Path files) throws Exception {
        Files.createDirectories(files);
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection loaded = postgres.connectAsAdmin("pipe_" + ServiceName.INGESTION.database())) {
            for (String table : INPUT_TABLES) {
                try (OutputStream out = Files.newOutputStream(files.resolve(table))) {
                    rows.put(table, loaded.unwrap(PGConnection.class).getCopyAPI().copyOut("copy " + table + " to stdout (format binary)", out));
                }
            }
        }
        long nanos = 0;
        try (Connection fresh = postgres.connectAsAdmin("copy_" + ServiceName.INGESTION.database()); Statement s = fresh.createStatement()) {
            // As the service writes: an acknowledged row is durable.
            s.execute("set synchronous_commit = on");
            for (String table : INPUT_TABLES) {
                try (InputStream in = Files.newInputStream(files.resolve(table))) {
                    long t0 = System.nanoTime();
                    fresh.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + table + " from stdin (format binary)", in);
                    nanos += System.nanoTime() - t0;
                }
            }
            try (ResultSet r = s.executeQuery("select count(*) from touch")) {
                r.next();
                if (r.getLong(1) != rows.get("touch")) {
                    throw new IllegalStateException("COPY stored " + r.getLong(1) + " touches of " + rows.get("touch"));
                }
            }
        }
        return new Copied(rows, nanos / 1e9);
    }

    private static void summary(Loaded load, Copied copied, Path logs) throws Exception {
        List<Stage> stages = load.stages();
        Stage end = stages.get(stages.size() - 1);
        double total = seconds(load.started(), end.at());
        long rows = copied.total();
        System.out.printf("%n== stages (times from the first request; CPU seconds of each process within the stage) ==%n");
        String dominant = null;
        double longest = -1;
        for (int i = 1; i < stages.size(); i++) {
            Stage before = stages.get(i - 1);
            Stage stage = stages.get(i);
            double length = seconds(before.at(), stage.at());
            if (length > longest) {
                longest = length;
                dominant = stage.name();
            }
            System.out.printf("%-24s at %7.1f s (+%6.1f s): %s%n", stage.name(), seconds(load.started(), stage.at()), length,
                    cpuBetween(before, stage));
        }
        double acknowledged = seconds(load.started(), stages.get(1).at());
        System.out.printf("%n== figures (load average %s) ==%n", BenchCalls.loadAverage());
        System.out.printf("input stored by ingestion: %s = %,d rows%n", copied.rows(), rows);
        System.out.printf("ingestion acknowledged:  %.1f s = %,.0f rows/s%n", acknowledged, rows / acknowledged);
        System.out.printf("COPY of the same rows:   %.1f s = %,.0f rows/s (synchronous commit, the tables' keys and indexes, one backend)%n",
                copied.seconds(), rows / copied.seconds());
        System.out.printf("ingestion / COPY speed:  %.2f (issue 19: >= 0.75) %s%n", copied.seconds() / acknowledged,
                copied.seconds() / acknowledged >= 0.75 ? "met" : "NOT met");
        System.out.printf("every report ready:      %.1f s = %,.0f input rows/s, %.1f x COPY (issue 19: <= 3) %s; the longest stage: %s%n",
                total, rows / total, total / copied.seconds(), total / copied.seconds() <= 3 ? "met" : "NOT met", dominant);
        for (ServiceName service : List.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION, ServiceName.GATEWAY)) {
            System.out.printf("peak heap %-20s %s%n", service.module() + ":", peakHeap(logs.resolve(service.module() + "-gc.log")));
        }
        System.out.println("reconciliation of the 13 models through the gateway: " + (load.reconciled() ? "holds" : "FAILS"));
        System.out.println("rollups equal the journeys on demand (sampled weeks): " + (load.journeysEqual() ? "yes" : "NO"));
    }

    /** The largest heap in use before a collection, from a -Xlog:gc log ("... 300M->120M(512M) ..."), and the bound. */
    private static String peakHeap(Path gcLog) throws Exception {
        long peak = 0;
        long committed = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_PAUSE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
                committed = Math.max(committed, Long.parseLong(m.group(3)));
            }
        }
        return String.format("%d MB used before a collection (%d MB committed at most)", peak, committed);
    }

    /** Fails the benchmark when a service has stopped (out of memory, say) instead of waiting for it forever. */
    private static void alive(ClosedLoopSystem system) throws java.io.IOException {
        for (ServiceName s : List.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION, ServiceName.GATEWAY)) {
            ServiceProcess p = system.service(s);
            if (!p.isAlive()) {
                List<String> log = Files.readAllLines(p.log());
                throw new IllegalStateException(s.module() + " stopped during the load (" + log.get(log.size() - 1).strip()
                        + "); its log: " + p.log());
            }
        }
    }

    private static Map<String, Long> cpuMillis(Map<String, ProcessHandle> processes, long postgresPid) {
        Map<String, Long> millis = new LinkedHashMap<>();
        processes.forEach((name, p) -> millis.put(name, p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L)));
        BenchCalls.postgresCpuMillisByDatabase(postgresPid).forEach((database, cpu) -> millis.put("PostgreSQL " + database, cpu));
        return millis;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
