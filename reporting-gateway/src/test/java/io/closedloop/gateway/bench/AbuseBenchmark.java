package io.closedloop.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.DevKeys;
import io.closedloop.launcher.PostgresServer;
import io.closedloop.launcher.ServiceName;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Abuse resistance (issue 15): a victim workspace's Segment batches and reports, p95 while idle and while another
 * workspace runs each load-shaped attack at its stated intensity (above the attacker's limits) from {@code --attackers}
 * threads (unique long UTMs against the taxonomy memo, a backtracking-prone channel rule, unknown write keys, aliased
 * on-demand reports, CSV uploads), measured once the attack has run {@link #WARM_UP_MS} (its bursts spent). Prints
 * the victim's p95 during each attack beside its idle p95, the ratio (target ≤ 2×), what the attacker got (status
 * counts, requests/s) and the load average. The four services, PostgreSQL and the load share the machine.
 */
public final class AbuseBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String ingestion;
    private final String gateway;
    /** The victim's questions so far: each asks another period, across phases too, so no answer cache can serve one. */
    private int questions;

    private AbuseBenchmark(String ingestion, String gateway) {
        this.ingestion = ingestion;
        this.gateway = gateway;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path root = Path.of(options.getOrDefault("root", ".")).toAbsolutePath().normalize();
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "15"));
        int attackers = Integer.parseInt(options.getOrDefault("attackers", "8"));
        Path work = Files.createTempDirectory("closedloop-abuse-bench");
        System.out.printf("closedloop abuse benchmark: %d cores, %d attacker threads, %d s per phase; services, PostgreSQL and"
                + " the load on the same machine%n", Runtime.getRuntime().availableProcessors(), attackers, seconds);
        try (PostgresServer postgres = PostgresServer.embedded(work.resolve("pgdata"), 0)) {
            DevKeys keys = DevKeys.in(work.resolve("keys"));
            try (ClosedLoopSystem system = ClosedLoopSystem.on(root, postgres, false, keys, "benchabuse_")) {
                Map<ServiceName, Integer> ports = new HashMap<>();
                for (ServiceName s : ServiceName.values()) {
                    ports.put(s, 0); // a free port below the ephemeral range (ClosedLoopSystem.freePort)
                }
                system.start(EnumSet.allOf(ServiceName.class), ports, List.of("-Xmx512m"), work.resolve("logs"));
                AbuseBenchmark bench = new AbuseBenchmark(system.service(ServiceName.INGESTION).url(),
                        system.service(ServiceName.GATEWAY).url());
                String victimKey = bench.writeKey(system.tokens().mint("bench", "victim", List.of("admin"), Duration.ofHours(2)));
                String attackerAdmin = system.tokens().mint("bench", "attacker", List.of("admin"), Duration.ofHours(2));
                String attackerKey = bench.writeKey(attackerAdmin);
                String victimAnalyst = system.tokens().mint("bench", "victim", List.of("analyst"), Duration.ofHours(2));
                String attackerAnalyst = system.tokens().mint("bench", "attacker", List.of("analyst"), Duration.ofHours(2));
                String attackerIngest = system.tokens().mint("bench", "attacker", List.of("ingest"), Duration.ofHours(2));
                for (int i = 0; i < 20; i++) {
                    bench.victimBatch(victimKey, "seed-" + i);
                }
                // The attacker's own touches (its burst's worth), so that its on-demand reports have journeys to compute.
                for (int i = 0; i < 80; i++) {
                    bench.post(bench.http, bench.ingestion + "/v1/batch", basic(attackerKey), "application/json",
                            pages(100, () -> "seed-" + RANDOM.nextInt(50)));
                }

                // Each attack at a stated intensity, above the attacker's limits (Segment: 1,000 messages/s per workspace; on-demand
                // reports: 1 at once and 0.25 s per second; imports: 2 at once, 5,000 rows/s), from --attackers threads.
                Map<String, Attack> attacks = new java.util.LinkedHashMap<>();
                attacks.put("unique long UTMs (taxonomy memo): 200 batches/s of 100 messages with 500-character campaigns",
                        new Attack(200, c -> bench.post(c, bench.ingestion + "/v1/batch", basic(attackerKey), "application/json",
                                pages(100, () -> "c" + RANDOM.nextLong() + "x".repeat(480)))));
                attacks.put("backtracking-prone channel rule: 200 batches/s of 100 messages", new Attack(200, c -> bench.post(c,
                        bench.ingestion + "/v1/batch", basic(attackerKey), "application/json", pages(100, () -> "a".repeat(500)))));
                attacks.put("unknown write keys: 500 batches/s", new Attack(500, c -> bench.post(c, bench.ingestion + "/v1/batch",
                        basic(randomKey()), "application/json", pages(10, () -> "spring"))));
                attacks.put("on-demand reports: 2 documents/s of 20 aliased Markov reports", new Attack(2, c -> bench.post(c,
                        bench.gateway + "/graphql", "Bearer " + attackerAnalyst, "application/json", aliasedMarkov())));
                String csv = "Id,Name\n" + accounts(40_000);
                attacks.put("CSV uploads: 2/s of 2 MB (40,000 rows)", new Attack(2, c -> bench.post(c, bench.ingestion + "/imports/accounts",
                        "Bearer " + attackerIngest, "text/csv", csv)));

                bench.victim(victimKey, victimAnalyst, seconds); // the victim's paths compiled before anything is measured
                bench.post(HttpClient.newHttpClient(), bench.ingestion + "/graphql", "Bearer " + attackerAdmin, "application/json",
                        "{\"query\": \"mutation { updateChannelTaxonomy(rules: [{channel: \\\"trap\\\", campaign: \\\"(a|aa)+b\\\"},"
                                + " {channel: \\\"rest\\\"}]) { usesDefault } }\"}");
                System.out.println("| attack (stated intensity) | attacker requests/s sent | attacker answers | victim batch p95 (idle → during, ratio) |"
                        + " victim report p95 (idle → during, ratio) | target | load average (idle, during) |");
                System.out.println("|---|---|---|---|---|---|---|");
                String only = options.getOrDefault("only", "");
                for (Map.Entry<String, Attack> attack : attacks.entrySet()) {
                    if (!attack.getKey().contains(only)) {
                        continue;
                    }
                    // Idle right before each attack: the same warmth and the same data as during it.
                    double[] idle = bench.victim(victimKey, victimAnalyst, seconds);
                    String idleLoad = load();
                    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
                    AtomicBoolean stop = new AtomicBoolean();
                    List<Thread> threads = new ArrayList<>();
                    long interval = (long) (1e9 * attackers / attack.getValue().perSecond()); // each thread's share of the rate
                    for (int t = 0; t < attackers; t++) {
                        long offset = interval * t / attackers;
                        Thread thread = new Thread(() -> {
                            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                            long next = System.nanoTime() + offset;
                            while (!stop.get()) {
                                long sleep = next - System.nanoTime();
                                if (sleep > 0) {
                                    java.util.concurrent.locks.LockSupport.parkNanos(sleep);
                                }
                                next += interval;
                                int status;
                                try {
                                    status = attack.getValue().send().send(client);
                                } catch (Exception e) {
                                    status = -1;
                                }
                                statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                            }
                        });
                        thread.setDaemon(true);
                        thread.start();
                        threads.add(thread);
                    }
                    Thread.sleep(WARM_UP_MS); // the attacker's bursts above its limits are spent before the victim is measured
                    double[] during = bench.victim(victimKey, victimAnalyst, seconds);
                    String loadAverage = load();
                    stop.set(true);
                    for (Thread thread : threads) {
                        thread.join(30_000);
                    }
                    Thread.sleep(SETTLE_MS); // identity and attribution work off what the attacker got accepted
                    long total = statuses.values().stream().mapToLong(AtomicLong::get).sum();
                    double ratioBatch = during[0] / idle[0];
                    double ratioReport = during[1] / idle[1];
                    System.out.printf("| %s | %.0f | %s | %.1f → %.1f ms, %.2f× | %.1f → %.1f ms, %.2f× | ≤ 2× (%s) | %s |%n",
                            attack.getKey(), total / (seconds + WARM_UP_MS / 1000.0), new java.util.TreeMap<>(statuses), idle[0], during[0], ratioBatch,
                            idle[1], during[1], ratioReport, ratioBatch <= 2 && ratioReport <= 2 ? "met" : "not met", idleLoad + ", " + loadAverage);
                }
                boolean restarted = false;
                for (ServiceName s : ServiceName.values()) {
                    restarted |= !bench.live(system.service(s).url());
                }
                System.out.println(restarted ? "a service stopped answering its liveness probe" : "every service stayed live");
            }
        }
        System.exit(0);
    }

    /** The attack has run this long before the victim is measured: long enough to spend every burst allowance. */
    private static final long WARM_UP_MS = 12_000;

    /** After an attack, before the next idle phase: the consumers apply what the attacker had accepted. */
    private static final long SETTLE_MS = 20_000;

    /** One request of an attack: its HTTP status. */
    @FunctionalInterface
    private interface Request {
        int send(HttpClient client) throws Exception;
    }

    /** An attack: {@code perSecond} requests a second, as long as the {@code --attackers} threads keep up. */
    private record Attack(double perSecond, Request send) {
    }

    /** {p95 of the victim's batches, p95 of its reports} in ms over {@code seconds}: one batch and one report in turn. */
    private double[] victim(String writeKey, String analyst, int seconds) throws Exception {
        List<Double> batches = new ArrayList<>();
        List<Double> reports = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        LocalDate base = LocalDate.of(2026, 1, 1);
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            int status = victimBatch(writeKey, "v" + System.nanoTime());
            batches.add((System.nanoTime() - t0) / 1e6);
            if (status != 200) {
                throw new IllegalStateException("the victim's batch got HTTP " + status);
            }
            // A new question every time (another period), as analysts ask: no answer cache serves it.
            LocalDate from = base.plusDays(questions++ % 3000);
            long t1 = System.nanoTime();
            int reportStatus = post(http, gateway + "/graphql", "Bearer " + analyst, "application/json",
                    "{\"query\": \"{ performance(period: {from: \\\"" + from + "\\\", to: \\\"" + from.plusDays(90)
                            + "\\\"}, model: {name: LINEAR}) { totals { revenue } } }\"}");
            reports.add((System.nanoTime() - t1) / 1e6);
            if (reportStatus != 200) {
                throw new IllegalStateException("the victim's report got HTTP " + reportStatus);
            }
            Thread.sleep(20);
        }
        return new double[] {p95(batches), p95(reports)};
    }

    private int victimBatch(String writeKey, String id) throws Exception {
        return post(http, ingestion + "/v1/batch", basic(writeKey), "application/json", pages(10, () -> "spring-" + id));
    }

    private int post(HttpClient client, String url, String authorization, String contentType, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private boolean live(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/live")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private String writeKey(String adminToken) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestion + "/graphql")).header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"mutation { createWriteKey(name: \\\"bench\\\") { key } }\"}"))
                .build();
        JsonNode body = JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        return body.path("data").path("createWriteKey").path("key").asText();
    }

    private static String pages(int n, java.util.function.Supplier<String> campaign) {
        StringBuilder b = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"page\",\"anonymousId\":\"anon-").append(RANDOM.nextInt(1000))
                    .append("\",\"context\":{\"campaign\":{\"source\":\"google\",\"medium\":\"cpc\",\"name\":\"")
                    .append(campaign.get()).append("\"}}}");
        }
        return b.append("]}").toString();
    }

    private static String aliasedMarkov() {
        StringBuilder q = new StringBuilder("{");
        LocalDate base = LocalDate.of(2020, 1, 1).plusDays(RANDOM.nextInt(1000));
        for (int i = 0; i < 20; i++) {
            q.append(" r").append(i).append(": performance(period: {from: \\\"").append(base.plusDays(i))
                    .append("\\\", to: \\\"").append(base.plusDays(i + 3000)).append("\\\"}, model: {name: MARKOV}) { totals { revenue } }");
        }
        return "{\"query\": \"" + q.append(" }") + "\"}";
    }

    private static String accounts(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("acc-").append(i).append(",Account number ").append(i).append(" with a long name for bytes\n");
        }
        return b.toString();
    }

    private static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String randomKey() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static double p95(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
