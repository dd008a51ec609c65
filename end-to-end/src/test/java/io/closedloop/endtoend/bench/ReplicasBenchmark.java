package io.closedloop.endtoend.bench;

import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.KafkaBroker;
import io.closedloop.launcher.DevKeys;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.ServiceProcess;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;
import io.closedloop.launcher.dataset.Reconciliation;

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

/**
 * bench/replicas.sh: the same dataset loaded through the public APIs into a fresh system with 1, 2 and 3 attribution
 * replicas (feeds in 4 partitions each), until identity and attribution have read every feed to its end and the rollups
 * are ready. Prints, per run, the time from the first message to ready, and per attribution replica the feed items it
 * applied (feed_application, the audit written with the positions) and its CPU seconds. On 2 cores no wall-clock gain can
 * show; the split of the work (items and CPU per replica) can. The 1-replica run is the baseline. Each replica count runs
 * over both transports (--transport postgresql,kafka): the HTTP feeds, and Kafka topics on a broker of the run's own. The
 * 3-replica run has two identity replicas too (issue 21's "2 + 3").
 */
public final class ReplicasBenchmark {

    private static final LocalDate START = LocalDate.of(2025, 1, 1);
    private static final String WORKSPACE = "bench";

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int accounts = Integer.parseInt(options.getOrDefault("accounts", "2500"));
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "4"));
        List<String> transports = List.of(options.getOrDefault("transport", "postgresql,kafka").split(","));
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("closedloop-replicas-bench");
        Dataset.Size benchmark = Dataset.Size.BENCHMARK;
        Dataset dataset = new Dataset(42, new Dataset.Size(accounts, benchmark.contactsPerAccount(), benchmark.touchesPerContact(),
                benchmark.opportunityShare()), START.atStartOfDay(ZoneOffset.UTC).toInstant(), 365);
        System.out.printf("closedloop replicas benchmark: %d cores, %d accounts (about %,d touches), feeds in %d partitions,"
                        + " load average %s%n", Runtime.getRuntime().availableProcessors(), accounts,
                (long) accounts * benchmark.contactsPerAccount() * benchmark.touchesPerContact(), partitions, BenchCalls.loadAverage());
        List<String> summary = new ArrayList<>();
        Map<String, double[]> baseline = null;
        try (PostgresServer postgres = PostgresServer.embedded(work.resolve("pgdata"), 0)) {
            DevKeys keys = DevKeys.in(work.resolve("keys"));
            for (String transport : transports) {
                for (int replicas = 1; replicas <= 3; replicas++) {
                    Run run = run(root, work, postgres, keys, dataset, replicas, partitions, transport);
                    if (baseline == null) {
                        baseline = run.reports();
                    }
                    summary.add(run.line() + "; " + reconcile(baseline, run.reports()));
                }
            }
        }
        System.out.println("\n== summary ==");
        summary.forEach(System.out::println);
    }

    /** One run's summary line and its reports of the 13 models. */
    private record Run(String line, Map<String, double[]> reports) {
    }

    /** The year's PIPELINE report by channel under each of the 13 models: "model key" → credit, amount, opportunities. */
    private static Map<String, double[]> reports(String attribution, String analyst) throws Exception {
        Map<String, double[]> reports = new java.util.TreeMap<>();
        for (String model : Reconciliation.MODELS) {
            com.fasterxml.jackson.databind.JsonNode answer = BenchCalls.call(attribution, analyst, "{ attribution(period: {from: \""
                    + START + "\", to: \"" + START.plusDays(500) + "\"}, basis: PIPELINE, model: " + model + ")"
                    + " { rows { key credit amount opportunities } } }");
            if (answer.has("errors")) {
                throw new IllegalStateException(model + ": " + answer.path("errors"));
            }
            for (com.fasterxml.jackson.databind.JsonNode row : answer.path("data").path("attribution").path("rows")) {
                reports.put(model + " " + row.path("key").asText(), new double[] {row.path("credit").asDouble(),
                        row.path("amount").asDouble(), row.path("opportunities").asDouble()});
            }
        }
        return reports;
    }

    /** Whether {@code reports} equal the first run's within a relative 1e-9, and where not. */
    private static String reconcile(Map<String, double[]> baseline, Map<String, double[]> reports) {
        List<String> differ = new ArrayList<>();
        if (!baseline.keySet().equals(reports.keySet())) {
            differ.add("rows " + reports.size() + " vs " + baseline.size());
        }
        baseline.forEach((row, values) -> {
            double[] other = reports.get(row);
            for (int i = 0; other != null && i < values.length; i++) {
                if (Math.abs(other[i] - values[i]) > 1e-9 * Math.max(1, Math.abs(values[i]))) {
                    differ.add(row + "[" + i + "] " + other[i] + " vs " + values[i]);
                }
            }
        });
        return differ.isEmpty() ? "reports of the 13 models equal the first run's (" + reports.size() + " rows)"
                : "REPORTS DIFFER from the first run's: " + differ.subList(0, Math.min(5, differ.size()));
    }

    private static Run run(Path root, Path work, PostgresServer postgres, DevKeys keys, Dataset dataset, int replicas,
                              int partitions, String transport) throws Exception {
        System.out.printf("%n== %s: %d attribution replica(s), load average %s ==%n", transport, replicas, BenchCalls.loadAverage());
        String prefix = transport + replicas + "_";
        boolean overKafka = switch (transport) {
            case "postgresql" -> false;
            case "kafka" -> true;
            default -> throw new IllegalArgumentException("--transport: postgresql, kafka or both separated by a comma, was " + transport);
        };
        try (KafkaBroker kafka = overKafka ? KafkaBroker.start(root, work.resolve("kafka-" + replicas), ClosedLoopSystem.freePort(), ClosedLoopSystem.freePort(),
                work.resolve("logs-" + prefix).resolve("kafka.log")) : null;
             ClosedLoopSystem system = ClosedLoopSystem.on(root, postgres, false, keys, prefix)) {
            if (kafka != null) {
                system.feedsOverKafka(kafka.bootstrapServers(), partitions);
            }
            Map<ServiceName, Integer> ports = BenchCalls.freePorts();
            system.environment(ServiceName.INGESTION, "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_PER_SECOND", "1000000000")
                    .environment(ServiceName.INGESTION, "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_BURST", "1000000000")
                    .environment(ServiceName.ATTRIBUTION, "CLOSEDLOOP_FEEDS_PARTITIONS", Integer.toString(partitions))
                    .environment(ServiceName.IDENTITY, "CLOSEDLOOP_FEEDS_PARTITIONS", Integer.toString(partitions));
            system.start(EnumSet.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION), ports,
                    List.of("-Xmx512m"), work.resolve("logs-" + prefix));
            List<ServiceProcess> attribution = new ArrayList<>(List.of(system.service(ServiceName.ATTRIBUTION)));
            for (int r = 1; r < replicas; r++) {
                attribution.add(system.startReplica(ServiceName.ATTRIBUTION));
            }
            // The 3-replica run is issue 21's "2 + 3": two identity replicas beside three of attribution.
            List<ServiceProcess> identity = new ArrayList<>(List.of(system.service(ServiceName.IDENTITY)));
            if (replicas == 3) {
                identity.add(system.startReplica(ServiceName.IDENTITY));
            }
            Map<ServiceProcess, Duration> cpuBefore = new LinkedHashMap<>();
            for (ServiceProcess p : attribution) {
                cpuBefore.put(p, cpu(p));
            }
            Duration identityBefore = Duration.ZERO;
            for (ServiceProcess p : identity) {
                identityBefore = identityBefore.plus(cpu(p));
            }
            Duration ingestionBefore = cpu(system.service(ServiceName.INGESTION));
            Duration brokerBefore = kafka == null ? Duration.ZERO : cpu(kafka.handle());
            String ingestion = system.service(ServiceName.INGESTION).url();
            String admin = system.tokens().mint("bench", WORKSPACE, List.of("admin"), Duration.ofHours(6));
            String writeKey = BenchCalls.call(ingestion, admin, "mutation { createWriteKey(name: \"bench\") { key } }")
                    .path("data").path("createWriteKey").path("key").asText();
            Instant started = Instant.now();
            DemoLoader.Loaded loaded = new DemoLoader(ingestion, writeKey)
                    .load(dataset, system.tokens().mint("bench", WORKSPACE, List.of("ingest"), Duration.ofHours(6)));
            System.out.printf("loaded through ingestion in %d s: %,d Segment messages%n",
                    Duration.between(started, Instant.now()).toSeconds(), loaded.messages());
            String service = system.tokens().mintService("bench", ServiceName.allFeeds(), Duration.ofHours(6));
            BenchCalls.awaitCaughtUp(system, postgres, prefix, service, started);
            String attributionUrl = system.service(ServiceName.ATTRIBUTION).url();
            while (!BenchCalls.call(attributionUrl, admin, "{ rollupRecompute { ready state } }").path("data").path("rollupRecompute")
                    .path("ready").asBoolean()) {
                Thread.sleep(500);
            }
            double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
            Map<String, Long> items = itemsPerReplica(postgres, prefix + "attribution");
            StringBuilder perReplica = new StringBuilder();
            int n = 0;
            for (Map.Entry<ServiceProcess, Duration> e : cpuBefore.entrySet()) {
                double cpu = (cpu(e.getKey()).toMillis() - e.getValue().toMillis()) / 1000.0;
                perReplica.append(String.format("%sreplica %d: %.1f CPU s", n == 0 ? "" : "; ", ++n, cpu));
            }
            Duration identityAfter = Duration.ZERO;
            for (ServiceProcess p : identity) {
                identityAfter = identityAfter.plus(cpu(p));
            }
            double identityCpu = (identityAfter.toMillis() - identityBefore.toMillis()) / 1000.0;
            Map<String, Long> identityItems = itemsPerReplica(postgres, prefix + "identity");
            double ingestionCpu = (cpu(system.service(ServiceName.INGESTION)).toMillis() - ingestionBefore.toMillis()) / 1000.0;
            String broker = kafka == null ? "" : String.format("; the Kafka broker %.1f CPU s",
                    (cpu(kafka.handle()).toMillis() - brokerBefore.toMillis()) / 1000.0);
            String line = String.format("%s, %d replica(s): ready %.1f s after the first message; attribution %s; items applied per"
                            + " replica %s; identity (%d replica(s), items per replica %s) %.1f CPU s; ingestion (its relay included over Kafka)"
                            + " %.1f CPU s%s; load average %s", transport, replicas, seconds, perReplica, items.values(), identity.size(),
                    identityItems.values(), identityCpu, ingestionCpu, broker, BenchCalls.loadAverage());
            System.out.println(line);
            return new Run(line, reports(attributionUrl, system.tokens().mint("bench", WORKSPACE, List.of("analyst"), Duration.ofHours(1))));
        }
    }

    /** The feed items each replica applied (the feed_application audit written with the positions). */
    private static Map<String, Long> itemsPerReplica(PostgresServer postgres, String database) throws java.sql.SQLException {
        Map<String, Long> items = new LinkedHashMap<>();
        try (Connection c = postgres.connectAsAdmin(database);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select owner, sum(items) from feed_application group by owner order by owner")) {
            while (r.next()) {
                items.put(r.getString(1), r.getLong(2));
            }
        }
        return items;
    }


    private static Duration cpu(ServiceProcess process) {
        return cpu(process.handle());
    }

    private static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
