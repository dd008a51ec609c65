package io.closedloop.endtoend.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.DevKeys;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * bench/erasure.sh: erases persons of the benchmark dataset (1,000,000 touches) through the public API and prints how long
 * each erasure took until every service reported it done (target 60 s) and the longest write transaction any service held
 * meanwhile, sampled from pg_stat_activity every 20 ms (target 2 s: a longer one holds back every feed, DESIGN §8).
 * Baseline in the same run: the reads that find the same person's rows (identity's person lookup and the containment scans
 * of ingestion's touches and identity facts), which no erasure can avoid.
 */
public final class ErasureBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate START = LocalDate.of(2025, 1, 1);
    private static final int DAYS = 365;
    private static final String WORKSPACE = "bench";

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int accounts = Integer.parseInt(options.getOrDefault("accounts", String.valueOf(Dataset.Size.BENCHMARK.accounts())));
        int persons = Integer.parseInt(options.getOrDefault("persons", "5"));
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path work = options.containsKey("work") ? Files.createDirectories(Path.of(options.get("work")).toAbsolutePath())
                : Files.createTempDirectory("closedloop-erasure-bench");
        Dataset.Size benchmark = Dataset.Size.BENCHMARK;
        Dataset dataset = new Dataset(42, new Dataset.Size(accounts, benchmark.contactsPerAccount(), benchmark.touchesPerContact(),
                benchmark.opportunityShare()), START.atStartOfDay(ZoneOffset.UTC).toInstant(), DAYS);
        System.out.printf("closedloop erasure benchmark: %d cores, %d accounts (%,d touches), load average %s%n",
                Runtime.getRuntime().availableProcessors(), accounts,
                (long) accounts * benchmark.contactsPerAccount() * benchmark.touchesPerContact(), BenchCalls.loadAverage());

        try (PostgresServer postgres = PostgresServer.embedded(work.resolve("pgdata"), 0)) {
            DevKeys keys = DevKeys.in(work.resolve("keys"));
            String prefix = "bencher_";
            try (ClosedLoopSystem system = ClosedLoopSystem.on(root, postgres, false, keys, prefix)) {
                Map<ServiceName, Integer> ports = new HashMap<>();
                for (ServiceName s : ServiceName.values()) {
                    ports.put(s, 0); // a free port below the ephemeral range (ClosedLoopSystem.freePort)
                }
                system.environment(ServiceName.INGESTION, "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_PER_SECOND", "1000000000")
                        .environment(ServiceName.INGESTION, "CLOSEDLOOP_INGESTION_SEGMENT_RATE_LIMIT_BURST", "1000000000");
                system.start(EnumSet.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION), ports, List.of("-Xmx1g"),
                        work.resolve("logs"));
                String ingestion = system.service(ServiceName.INGESTION).url();
                String identity = system.service(ServiceName.IDENTITY).url();
                String admin = system.tokens().mint("bench", WORKSPACE, List.of("admin"), Duration.ofHours(6));
                Path loaded = work.resolve("loaded.txt");
                Instant loadStart = Instant.now();
                if (Files.exists(loaded)) {
                    System.out.println("data loaded earlier in " + work + " (not loaded again): " + Files.readString(loaded).strip());
                } else {
                    String writeKey = BenchCalls.call(ingestion, admin, "mutation { createWriteKey(name: \"bench\") { key } }")
                            .path("data").path("createWriteKey").path("key").asText();
                    DemoLoader.Loaded l = new DemoLoader(ingestion, writeKey)
                            .load(dataset, system.tokens().mint("bench", WORKSPACE, List.of("ingest"), Duration.ofHours(6)));
                    String line = String.format("loaded through ingestion in %d s: %,d Segment messages, %,d contacts, %,d opportunities",
                            Duration.between(loadStart, Instant.now()).toSeconds(), l.messages(), l.contacts(), l.opportunities());
                    System.out.println(line);
                    Files.writeString(loaded, line + "\n");
                }
                String service = system.tokens().mintService("bench", ServiceName.allFeeds(), Duration.ofHours(6));
                BenchCalls.awaitCaughtUp(system, postgres, prefix, service, loadStart);

                List<String> emails = new ArrayList<>();
                try (Connection c = postgres.connectAsAdmin(prefix + "ingestion");
                     PreparedStatement s = c.prepareStatement("select email from crm_contact where workspace_id = ? and email is not null"
                             + " order by id offset 1000 limit ?")) {
                    s.setString(1, WORKSPACE);
                    s.setInt(2, persons);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            emails.add(r.getString(1));
                        }
                    }
                }

                System.out.println("\n== each person: baseline (finding their rows) and the erasure, one at a time ==");
                LongestTransaction longest = new LongestTransaction(postgres, prefix);
                Thread sampler = new Thread(longest, "pg_stat_activity sampler");
                sampler.setDaemon(true);
                sampler.start();
                List<double[]> figures = new ArrayList<>();
                int n = 0;
                for (String email : emails) {
                    n++;
                    double baseline = baseline(postgres, prefix, identity, admin, email);
                    Instant started = Instant.now();
                    JsonNode job = BenchCalls.call(ingestion, admin, "mutation { erasePerson(identifiers: [{type: \"email\", value: \"" + email
                            + "\"}]) { id } }").path("data").path("erasePerson");
                    String id = job.path("id").asText();
                    JsonNode done;
                    while (true) {
                        done = BenchCalls.call(ingestion, admin, "{ erasure(id: \"" + id + "\") { state services { service state chunks removed"
                                + " { kind count } } } }").path("data").path("erasure");
                        if (done.path("state").asText().equals("DONE")) {
                            break;
                        }
                        if (Duration.between(started, Instant.now()).toSeconds() > 600) {
                            throw new IllegalStateException("erasure not done in 600 s: " + done);
                        }
                        Thread.sleep(50);
                    }
                    double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
                    figures.add(new double[]{seconds, baseline});
                    System.out.printf("person %d: erasure %.2f s, baseline %.2f s, ratio %.1f; %s%n", n, seconds, baseline, seconds / baseline,
                            summary(done));
                }
                longest.stop.set(true);
                sampler.join();

                double worst = figures.stream().mapToDouble(f -> f[0]).max().orElse(0);
                double worstBaseline = figures.stream().mapToDouble(f -> f[1]).max().orElse(0);
                System.out.println("\n== figures ==");
                System.out.printf("erasure on %,d touches: slowest %.2f s of %d (target <= 60 s): %s; baseline (finding the rows) %.2f s,"
                                + " ratio %.1f%n", (long) accounts * benchmark.contactsPerAccount() * benchmark.touchesPerContact(), worst,
                        figures.size(), worst <= 60 ? "met" : "NOT met", worstBaseline, worst / worstBaseline);
                System.out.printf("longest write transaction meanwhile: %.3f s (%s) (target <= 2 s): %s%n", longest.seconds.get(),
                        longest.what.get(), longest.seconds.get() <= 2 ? "met" : "NOT met");
                System.out.println("load average after: " + BenchCalls.loadAverage());
            }
        }
    }

    /** Seconds to find what the person holds: identity's person (every identifier), then ingestion's rows naming any of them. */
    private static double baseline(PostgresServer postgres, String prefix, String identity, String admin, String email) throws Exception {
        Instant start = Instant.now();
        JsonNode person = BenchCalls.call(identity, admin, "{ person(identifier: {type: \"email\", value: \"" + email + "\"}) { identifiers { type value } } }")
                .path("data").path("person");
        List<String> containments = new ArrayList<>();
        for (JsonNode i : person.path("identifiers")) {
            containments.add("[{\"type\":" + JSON.writeValueAsString(i.path("type").asText()) + ",\"value\":"
                    + JSON.writeValueAsString(i.path("value").asText()) + "}]");
        }
        try (Connection c = postgres.connectAsAdmin(prefix + "ingestion")) {
            for (String table : List.of("touch", "identity_fact")) {
                try (PreparedStatement s = c.prepareStatement("select count(*) from " + table + " where workspace_id = ?"
                        + " and identifiers @> any(?::jsonb[])")) {
                    s.setString(1, WORKSPACE);
                    s.setArray(2, c.createArrayOf("text", containments.toArray()));
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                    }
                }
            }
        }
        return Duration.between(start, Instant.now()).toMillis() / 1000.0;
    }

    private static String summary(JsonNode job) {
        StringBuilder b = new StringBuilder();
        for (JsonNode s : job.path("services")) {
            b.append(s.path("service").asText()).append(" ").append(s.path("chunks").asInt()).append(" chunk(s)");
            for (JsonNode r : s.path("removed")) {
                b.append(", ").append(r.path("kind").asText()).append(" ").append(r.path("count").asLong());
            }
            b.append("; ");
        }
        return b.toString();
    }

    /** The longest transaction holding a transaction id (a write) seen in the services' databases. */
    private static final class LongestTransaction implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Double> seconds = new AtomicReference<>(0.0);
        final AtomicReference<String> what = new AtomicReference<>("none");
        private final PostgresServer postgres;
        private final String prefix;

        LongestTransaction(PostgresServer postgres, String prefix) {
            this.postgres = postgres;
            this.prefix = prefix;
        }

        @Override
        public void run() {
            try (Connection c = postgres.connectAsAdmin("postgres");
                 PreparedStatement s = c.prepareStatement("select datname, extract(epoch from clock_timestamp() - xact_start), left(query, 80)"
                         + " from pg_stat_activity where datname like ? and backend_xid is not null and xact_start is not null"
                         + " order by 2 desc limit 1")) {
                s.setString(1, prefix + "%");
                while (!stop.get()) {
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next() && r.getDouble(2) > seconds.get()) {
                            seconds.set(r.getDouble(2));
                            what.set(r.getString(1) + ": " + r.getString(3).replaceAll("\\s+", " "));
                        }
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                System.out.println("sampler stopped: " + e);
            }
        }
    }

    /** Until identity and attribution have read every feed to its end (their positions equal the producers' last cursors). */
}
