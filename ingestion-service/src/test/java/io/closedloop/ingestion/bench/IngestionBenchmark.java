package io.closedloop.ingestion.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.closedloop.ingestion.segment.MessageReader;
import io.closedloop.ingestion.segment.SegmentBody;
import io.closedloop.ingestion.segment.TouchTypes;
import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.DevKeys;
import io.closedloop.launcher.DevTokens;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.SegmentMessages;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ingestion benchmark (bench/ingestion.sh, DESIGN §10):
 * <ol>
 * <li>Sustained {@code /v1/batch} ingestion: batches of 100 page/track messages with UTMs rendered from the shared
 * dataset, several concurrent senders (Java HttpClient), the packaged service against an embedded PostgreSQL on the
 * same machine, synchronous commit; events/s acknowledged. Baseline, in the same run: COPY of the same rows (read back
 * from the service's tables) into tables made {@code like} them, keys included; the ratio and where the time went
 * (CPU seconds of the service, PostgreSQL and this load generator).</li>
 * <li>CSV import of 1,000,000 opportunity rows (Salesforce report columns) into the service running with -Xmx512m;
 * rows/s and the peak heap it reported.</li>
 * </ol>
 * Options: {@code --events N} (default 300000), {@code --senders N} (default 8), {@code --csv-rows N} (default 1000000),
 * {@code --skip-csv}, {@code --service-jvm "<options>"} (extra JVM options of the service, e.g. a JFR recording).
 */
public final class IngestionBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final int BATCH = 100;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int events = Integer.parseInt(options.getOrDefault("events", "300000"));
        int senders = Integer.parseInt(options.getOrDefault("senders", "8"));
        int csvRows = Integer.parseInt(options.getOrDefault("csv-rows", "1000000"));
        Path work = Files.createTempDirectory("closedloop-bench");
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        System.out.printf("closedloop ingestion benchmark: %d cores, load generator on the same machine%n",
                Runtime.getRuntime().availableProcessors());

        try (PostgresServer postgres = PostgresServer.embedded(work.resolve("pgdata"), 0)) {
            DevKeys keys = DevKeys.in(work.resolve("keys"));
            try (ClosedLoopSystem system = ClosedLoopSystem.on(root, postgres, false, keys, "bench_")) {
                List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-Dclosedloop.ingestion.segment.rate-limit-per-second=1000000000",
                        "-Dclosedloop.ingestion.segment.rate-limit-burst=1000000000",
                        // The physical speed of the import path, not a workspace's pace.
                        "-Dclosedloop.ingestion.imports.rows-per-second=1000000000", "-Dclosedloop.ingestion.imports.rows-burst=1000000000",
                        "-Dclosedloop.ingestion.imports.spool-directory=" + work.resolve("spool")));
                if (options.containsKey("service-jvm")) {
                    jvm.addAll(List.of(options.get("service-jvm").split(" ")));
                }
                system.start(EnumSet.of(ServiceName.INGESTION), Map.of(ServiceName.INGESTION, 0), jvm, work.resolve("logs"));
                String url = system.service(ServiceName.INGESTION).url();
                DevTokens tokens = system.tokens();
                String workspace = "bench";
                String writeKey = graphql(url, tokens.mint("bench", workspace, List.of("admin"), Duration.ofHours(2)),
                        "mutation { createWriteKey(name: \"bench\") { key } }").path("createWriteKey").path("key").asText();
                segment(url, writeKey, postgres, events, senders, work);
                if (!options.containsKey("skip-csv")) {
                    csv(url, tokens.mint("bench", workspace, List.of("ingest"), Duration.ofHours(2)), csvRows, work);
                }
            }
        }
        // Keep the service log, drop the database files and the generated CSV.
        deleteTree(work.resolve("pgdata"));
        Files.deleteIfExists(work.resolve("opportunities.csv"));
        System.out.println("\n(service log: " + work.resolve("logs") + ")");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---------------------------------------------------------------- Segment /v1/batch vs COPY

    private static void segment(String url, String writeKey, PostgresServer postgres, int events, int senders, Path work) throws Exception {
        System.out.printf("%nPreparing %,d page/track messages in batches of %d (the shared dataset, %d sources)...%n", events, BATCH,
                Dataset.SOURCES.size());
        List<byte[]> warmup = batches(7, Integer.parseInt(System.getProperty("bench.warmup", "150000")));
        List<byte[]> bodies = batches(42, events);
        long messages = (long) bodies.size() * BATCH;
        String auth = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));

        send(url, auth, warmup, senders);
        String database = "bench_ingestion";
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), "postgres", postgres.adminPassword());
             Statement s = c.createStatement()) {
            s.execute("checkpoint");
        }
        Metrics before = Metrics.read(url);
        Cpu cpuBefore = Cpu.sample(postgres, work);
        long started = System.nanoTime();
        long acknowledged = send(url, auth, bodies, senders);
        double seconds = (System.nanoTime() - started) / 1e9;
        Cpu cpu = Cpu.sample(postgres, work).minus(cpuBefore);
        Metrics after = Metrics.read(url);
        if (acknowledged != messages) {
            throw new IllegalStateException("only " + acknowledged + " of " + messages + " messages were acknowledged");
        }
        double rate = messages / seconds;

        // The baseline: the same rows, read back from the service's tables, COPYed into tables like them (keys included).
        double copySeconds;
        long touchRows;
        long factRows;
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), "postgres", postgres.adminPassword())) {
            try (Statement s = c.createStatement()) {
                s.execute("set synchronous_commit = on");
                s.execute("create table touch_copy (like touch including all)");
                s.execute("create table identity_fact_copy (like identity_fact including all)");
            }
            String touchColumns = "workspace_id, id, origin, occurred_at, type, identifiers, channel, source, medium, campaign, content,"
                    + " term, referrer, url, click_ids, event, utm_valid, raw";
            String factColumns = "workspace_id, id, origin, kind, occurred_at, identifiers, account, raw";
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            byte[] touches = export(copy, "select " + touchColumns + " from touch where workspace_id = 'bench' and id like 'msg-%'");
            byte[] facts = export(copy, "select " + factColumns + " from identity_fact where workspace_id = 'bench' and id like 'msg-%'");
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            touchRows = copy.copyIn("copy touch_copy (" + touchColumns + ") from stdin", new ByteArrayInputStream(touches));
            factRows = copy.copyIn("copy identity_fact_copy (" + factColumns + ") from stdin", new ByteArrayInputStream(facts));
            c.commit();
            copySeconds = (System.nanoTime() - t0) / 1e9;
        }
        double copyRate = messages / copySeconds;

        double requests = after.requests - before.requests;
        System.out.printf("%nSegment /v1/batch: %,d messages in %,d batches of %d, %d concurrent senders, synchronous commit%n",
                messages, bodies.size(), BATCH, senders);
        System.out.printf("  figure    %,.0f events/s acknowledged (%.1f s)%n", rate, seconds);
        System.out.printf("  baseline  %,.0f events/s: COPY of the same %,d touch rows + %,d identity-fact rows into tables like"
                + " touch and identity_fact with their keys (%.2f s)%n", copyRate, touchRows, factRows, copySeconds);
        System.out.printf("  ratio     %.2f   (issue 19 target >= 0.75)%n", rate / copyRate);
        System.out.printf("  where the time goes (%.1f s wall, %d cores = %.1f core-s):%n", seconds,
                Runtime.getRuntime().availableProcessors(), seconds * Runtime.getRuntime().availableProcessors());
        System.out.printf("    ingestion-service CPU  %5.1f s  (%.0f us/event)%n", cpu.service, 1e6 * cpu.service / messages);
        System.out.printf("    PostgreSQL CPU         %5.1f s  (%.0f us/event)%n", cpu.postgres, 1e6 * cpu.postgres / messages);
        System.out.printf("    load generator CPU     %5.1f s  (%.0f us/event)%n", cpu.generator, 1e6 * cpu.generator / messages);
        System.out.printf("    per request (server):  %.1f ms in all; reading messages %.2f ms; storing (one INSERT ... SELECT FROM unnest + commit) %.1f ms%n",
                1000 * (after.requestSeconds - before.requestSeconds) / requests,
                1000 * (after.readSeconds - before.readSeconds) / requests,
                1000 * (after.storeSeconds - before.storeSeconds) / requests);
        double parse = inProcessParse(bodies.subList(0, Math.min(bodies.size(), 500)));
        System.out.printf("    in-process, one thread: strict parse + checks + extraction + taxonomy %.1f us/event%n", parse);
    }

    /** Renders {@code events} messages of the dataset (page and track calls, no identify) as /v1/batch bodies of 100. */
    static List<byte[]> batches(long seed, int events) throws IOException {
        Dataset dataset = new Dataset(seed, Dataset.Size.BENCHMARK, Instant.parse("2026-01-01T00:00:00Z"), 60);
        List<byte[]> out = new ArrayList<>();
        List<ObjectNode> pending = new ArrayList<>(BATCH);
        AtomicInteger count = new AtomicInteger();
        String prefix = seed == 7 ? "warm-" : "";
        for (int a = 0; count.get() < events; a++) {
            Dataset.AccountData data = dataset.account(a);
            for (Dataset.Visit visit : data.visits()) {
                for (ObjectNode m : SegmentMessages.of(visit, "www.company" + a + ".example.com")) {
                    if (count.get() >= events || m.path("type").asText().equals("identify")) {
                        continue;
                    }
                    m.put("messageId", prefix + m.path("messageId").asText());
                    pending.add(m);
                    count.incrementAndGet();
                    if (pending.size() == BATCH) {
                        out.add(body(pending));
                        pending.clear();
                    }
                }
            }
        }
        return out;
    }

    private static byte[] body(List<ObjectNode> messages) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode batch = body.putArray("batch");
        messages.forEach(batch::add);
        body.put("sentAt", Instant.now().toString());
        return JSON.writeValueAsBytes(body);
    }

    /** Sends every body with {@code senders} threads; returns the messages acknowledged (200 without rejections). */
    private static long send(String url, String auth, List<byte[]> bodies, int senders) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong acknowledged = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> running = new ArrayList<>();
        URI uri = URI.create(url + "/v1/batch");
        for (int s = 0; s < senders; s++) {
            running.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                    HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", auth)
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i))).build();
                    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200 || response.body().contains("rejected")) {
                        throw new IllegalStateException("batch " + i + ": HTTP " + response.statusCode() + " " + response.body());
                    }
                    acknowledged.addAndGet(BATCH);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        return acknowledged.get();
    }

    private static byte[] export(CopyManager copy, String query) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copy.copyOut("copy (" + query + ") to stdout", out);
        return out.toByteArray();
    }

    /** Microseconds per event to parse, check and extract in this JVM, on one thread (after warming up). */
    private static double inProcessParse(List<byte[]> bodies) {
        TouchTypes types = new TouchTypes(List.of("form submitted", "signed up", "demo requested"));
        long n = 0;
        long t0 = 0;
        for (int round = 0; round < 6; round++) {
            if (round == 3) {
                t0 = System.nanoTime();
                n = 0;
            }
            for (byte[] b : bodies) {
                SegmentBody body = SegmentBody.parse(b, b.length, true, 32768);
                MessageReader reader = new MessageReader(ChannelTaxonomy.DEFAULT, types, Instant.now(), null, null, null);
                for (SegmentBody.Message m : body.messages()) {
                    reader.read(m, null);
                    n++;
                }
            }
        }
        return (System.nanoTime() - t0) / 1e3 / n;
    }

    // ---------------------------------------------------------------- CSV import

    private static void csv(String url, String token, int rows, Path work) throws Exception {
        Path file = work.resolve("opportunities.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("\"Opportunity ID\",\"Account ID\",\"Opportunity Name\",\"Amount\",\"Opportunity Currency\",\"Created Date\","
                    + "\"Stage\",\"Close Date\",\"Won\",\"Closed\"\n");
            String[] stages = {"Prospecting", "Discovery", "Proposal", "Negotiation", "Closed Won", "Closed Lost"};
            for (int i = 0; i < rows; i++) {
                String stage = stages[i % stages.length];
                boolean won = stage.equals("Closed Won");
                boolean closed = won || stage.equals("Closed Lost");
                int month = 1 + i % 12;
                w.write(String.format("\"006%012d\",\"001%09d\",\"Company %d - deal %d\",\"$%,d.00\",\"USD\",\"%d/%d/2025\",\"%s\",\"%d/%d/2025\",\"%d\",\"%d\"%n",
                        i, i / 2, i / 2, i % 2, 5_000 + (i * 37) % 95_000, month, 1 + i % 28, stage, month, 28, won ? 1 : 0, closed ? 1 : 0));
            }
        }
        long bytes = Files.size(file);
        System.out.printf("%nCSV import: %,d opportunity rows (Salesforce report columns, %,d MB), service heap -Xmx512m%n", rows, bytes >> 20);
        long t0 = System.nanoTime();
        HttpRequest post = HttpRequest.newBuilder(URI.create(url + "/imports/opportunities?mapping=salesforce"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).timeout(Duration.ofMinutes(10)).build();
        HttpResponse<String> accepted = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
        if (accepted.statusCode() != 202) {
            throw new IllegalStateException("import not started: " + accepted.statusCode() + " " + accepted.body());
        }
        double uploadSeconds = (System.nanoTime() - t0) / 1e9;
        String id = JSON.readTree(accepted.body()).path("id").asText();
        double peakHeap = 0;
        JsonNode job;
        while (true) {
            job = graphql(url, token, "{ importJob(id: \"" + id + "\") { state rowsRead rowsAccepted rowsRejected message } }").path("importJob");
            peakHeap = Math.max(peakHeap, Metrics.heapUsed(url));
            if (!job.path("state").asText().equals("RUNNING")) {
                break;
            }
            Thread.sleep(500);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("  upload and 202 after %.1f s; job %s after %.1f s: %,d rows read, %,d accepted, %,d rejected%n", uploadSeconds,
                job.path("state").asText(), seconds, job.path("rowsRead").asLong(), job.path("rowsAccepted").asLong(),
                job.path("rowsRejected").asLong());
        System.out.printf("  figure    %,.0f rows/s imported (upload, parse, checks, upsert in chunks committed about every second)%n",
                job.path("rowsAccepted").asLong() / seconds);
        System.out.printf("  heap      peak used %.0f MB of the 512 MB allowed (sampled every 0.5 s)%n", peakHeap / (1 << 20));
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode graphql(String url, String token, String query) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/graphql")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("query", query)))).build();
        JsonNode response = JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
        if (response.has("errors")) {
            throw new IllegalStateException(response.toString());
        }
        return response.path("data");
    }

    /** Totals from the service's Prometheus metrics. */
    record Metrics(double requests, double requestSeconds, double readSeconds, double storeSeconds) {

        static Metrics read(String url) throws Exception {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return new Metrics(sum(text, "http_server_requests_seconds_count\\{[^}]*uri=\"/v1/[^\"]*\"[^}]*}"),
                    sum(text, "http_server_requests_seconds_sum\\{[^}]*uri=\"/v1/[^\"]*\"[^}]*}"),
                    sum(text, "closedloop_segment_read_seconds_sum(\\{[^}]*})?"),
                    sum(text, "closedloop_segment_store_seconds_sum(\\{[^}]*})?"));
        }

        static double heapUsed(String url) throws Exception {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return sum(text, "jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}");
        }

        private static double sum(String text, String metric) {
            Matcher m = Pattern.compile("(?m)^" + metric + " (?<v>[0-9.eE+-]+)$").matcher(text);
            double total = 0;
            while (m.find()) {
                total += Double.parseDouble(m.group("v"));
            }
            return total;
        }
    }

    /** CPU seconds used so far by the service process, PostgreSQL's processes and this JVM (Linux /proc). */
    record Cpu(double service, double postgres, double generator) {

        static Cpu sample(PostgresServer postgres, Path work) throws IOException {
            double service = 0;
            double pg = 0;
            long postmaster = Long.parseLong(Files.readAllLines(work.resolve("pgdata/postmaster.pid")).get(0).strip());
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        long pid = Long.parseLong(name);
                        String[] stat = stat(pid);
                        long ppid = Long.parseLong(stat[1]);
                        if (pid == postmaster || ppid == postmaster) {
                            pg += seconds(stat);
                        } else if (ppid == ProcessHandle.current().pid()) {
                            String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                            if (cmd.contains("quarkus-run.jar")) {
                                service += seconds(stat);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // the process ended meanwhile
                    }
                }
            }
            return new Cpu(service, pg, seconds(stat(ProcessHandle.current().pid())));
        }

        Cpu minus(Cpu o) {
            return new Cpu(service - o.service, postgres - o.postgres, generator - o.generator);
        }

        /** Fields after the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime (clock ticks). */
        private static String[] stat(long pid) throws IOException {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        }

        private static double seconds(String[] stat) {
            return (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / 100.0;
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                boolean value = i + 1 < args.length && !args[i + 1].startsWith("--");
                options.put(args[i].substring(2), value ? args[++i] : "true");
            }
        }
        return options;
    }
}
