package io.closedloop.launcher;

import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code closedloop} command: {@code run} starts the whole system, {@code token} mints a
 * development token, {@code workspace create} gives a workspace its first write key.
 */
public final class Main {

    /** Port of the embedded PostgreSQL of the run command (not 5432, so it never clashes with an installed server). */
    static final int EMBEDDED_POSTGRES_PORT = 15432;
    static final int EMBEDDED_KAFKA_PORT = 19092;
    static final String DEMO_WORKSPACE = "demo";
    static final long DEMO_SEED = 42;
    /** Two years of activity: cohorts have time to renew, and every report has seasons to compare. */
    static final int DEMO_MONTHS = 24;

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
        Path home = Path.of(options.getOrDefault("home", ".closedloop")).toAbsolutePath();
        switch (args[0]) {
            case "run" -> run(home, options);
            case "token" -> System.out.println(options.containsKey("feeds-of")
                    // A consumer's service token: only the feeds that service reads (ServiceName.feedsRead).
                    ? DevTokens.of(DevKeys.in(home.resolve("keys"))).mintService(options.get("feeds-of") + "-service",
                            ServiceName.valueOf(options.get("feeds-of").toUpperCase(java.util.Locale.ROOT)).feedsRead(),
                            Duration.ofDays(Long.parseLong(options.getOrDefault("ttl-days", "30"))))
                    : DevTokens.of(DevKeys.in(home.resolve("keys"))).mint(
                            options.getOrDefault("subject", "developer"),
                            required(options, "workspace"),
                            List.of(options.getOrDefault("roles", "analyst").split(",")),
                            Duration.ofDays(Long.parseLong(options.getOrDefault("ttl-days", "30")))));
            case "workspace" -> createWorkspace(home, args, options);
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    private static void run(Path home, Map<String, String> options) throws Exception {
        String external = options.getOrDefault("database", System.getenv("CLOSEDLOOP_DATABASE_URL"));
        Files.createDirectories(home);
        PostgresServer postgres = external != null && !external.isBlank()
                ? PostgresServer.external(external)
                : PostgresServer.embedded(home.resolve("pgdata"), EMBEDDED_POSTGRES_PORT);
        DevKeys keys = DevKeys.in(home.resolve("keys"));
        ClosedLoopSystem system = ClosedLoopSystem.on(Path.of("").toAbsolutePath(), postgres, true, keys, "");
        // --kafka: the feeds run over a Kafka broker (KRaft, from Maven Central's jars) kept in <home>/kafka like PostgreSQL.
        KafkaBroker kafka = options.containsKey("kafka")
                ? KafkaBroker.start(Path.of("").toAbsolutePath(), home.resolve("kafka"), EMBEDDED_KAFKA_PORT, EMBEDDED_KAFKA_PORT + 1,
                        home.resolve("logs").resolve("kafka.log"))
                : null;
        if (kafka != null) {
            system.feedsOverKafka(kafka.bootstrapServers(), 1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping the services, " + (kafka != null ? "Kafka, " : "") + "PostgreSQL...");
            try {
                system.close();
                if (kafka != null) {
                    kafka.close();
                }
            } catch (Exception e) {
                System.err.println("while stopping: " + e.getMessage());
            }
            stopped.countDown();
        }));
        System.out.println("PostgreSQL on port " + postgres.port() + (external == null ? " (embedded, data in " + home.resolve("pgdata") + ")" : ""));
        if (kafka != null) {
            System.out.println("Kafka on " + kafka.bootstrapServers() + " (KRaft, data in " + home.resolve("kafka") + "): the feeds' transport");
        }
        System.out.println("Starting the four services (logs in " + home.resolve("logs") + ")...");
        system.start(EnumSet.allOf(ServiceName.class), Map.of(), List.of("-Xmx512m"), home.resolve("logs"));

        DevTokens tokens = system.tokens();
        String writeKey = new WriteKeys(system.service(ServiceName.INGESTION).url(), tokens, DEMO_WORKSPACE).ensureOne();
        String gateway = system.service(ServiceName.GATEWAY).url();
        String dashboardPeriod = "";
        if (options.containsKey("demo")) {
            // --scale ACCOUNTS[,MONTHS]: the same story at another size (the benchmark's shape is 25000 accounts).
            String[] scale = options.getOrDefault("scale", Dataset.Size.DEMO.accounts() + "," + DEMO_MONTHS).split(",");
            int accounts = Integer.parseInt(scale[0].strip());
            int months = scale.length > 1 ? Integer.parseInt(scale[1].strip()) : DEMO_MONTHS;
            if (accounts < 10 || months < 3 || months > 60) {
                throw new IllegalArgumentException("--scale ACCOUNTS[,MONTHS]: at least 10 accounts, 3 to 60 months");
            }
            int days = months * 365 / 12;
            // Activity ending 85 days ago, so that deals have closed and been invoiced by today.
            LocalDate first = LocalDate.now(ZoneOffset.UTC).minusDays(days + 85);
            Dataset.Size demo = Dataset.Size.DEMO;
            Dataset dataset = new Dataset(DEMO_SEED, new Dataset.Size(accounts, demo.contactsPerAccount(), demo.touchesPerContact(),
                    demo.opportunityShare()), first.atStartOfDay(ZoneOffset.UTC).toInstant(), days);
            System.out.println("Loading the demo dataset (" + accounts + " accounts, " + months + " months) into workspace '"
                    + DEMO_WORKSPACE + "' through ingestion's APIs...");
            DemoLoader.Loaded loaded = new DemoLoader(system.service(ServiceName.INGESTION).url(), writeKey)
                    .load(dataset, tokens.mint("demo-loader", DEMO_WORKSPACE, List.of("ingest"), Duration.ofHours(1)));
            System.out.printf("Demo data sent: %d accounts, %d contacts, %d Segment messages, %d opportunities, %d invoices, %d spend rows "
                            + "(identity and attribution catch up from the feeds within a minute).%n",
                    loaded.accounts(), loaded.contacts(), loaded.messages(), loaded.opportunities(), loaded.invoices(), loaded.spendRows());
            dashboardPeriod = "&from=" + first + "&to=" + first.plusDays(days + 84);
        }
        System.out.println();
        System.out.println("closedloop is up.");
        for (ServiceName s : ServiceName.values()) {
            System.out.printf("  %-20s %s%n", s.module(), system.service(s).url());
        }
        System.out.println("  GraphQL API:         " + gateway + "/graphql");
        System.out.println("  GraphiQL:            " + gateway + "/graphql-ui/  (token in its Headers tab)");
        System.out.println("  Segment write key:   " + writeKey + "  (workspace '" + DEMO_WORKSPACE + "', Segment API at "
                + system.service(ServiceName.INGESTION).url() + "/v1)");
        String analystToken = tokens.mint("demo-analyst", DEMO_WORKSPACE, List.of("analyst"), Duration.ofDays(30));
        System.out.println("  Analyst token:       " + analystToken);
        System.out.println("  Dashboard:           " + gateway + "/dashboard/#token=" + analystToken + dashboardPeriod);
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
    }

    private static void createWorkspace(Path home, String[] args, Map<String, String> options) throws Exception {
        if (args.length < 3 || !"create".equals(args[1])) {
            usage();
            System.exit(2);
        }
        String workspace = args[2];
        DevTokens tokens = DevTokens.of(DevKeys.in(home.resolve("keys")));
        String ingestion = options.getOrDefault("ingestion-url",
                System.getenv().getOrDefault("CLOSEDLOOP_INGESTION_URL", "http://localhost:" + ServiceName.INGESTION.defaultPort()));
        String key = new WriteKeys(ingestion, tokens, workspace).create(options.getOrDefault("key-name", "default"));
        System.out.println("workspace:     " + workspace);
        System.out.println("write key:     " + key);
        for (String role : List.of("admin", "analyst", "ingest")) {
            System.out.printf("%-14s %s%n", role + " token:", tokens.mint("developer", workspace, List.of(role), Duration.ofDays(30)));
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String name = args[i].substring(2);
                boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
                options.put(name, hasValue ? args[++i] : "true");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            System.err.println("missing --" + name);
            System.exit(2);
        }
        return value;
    }

    private static void usage() {
        System.err.println("""
                usage: ./closedloop run [--demo [--scale ACCOUNTS[,MONTHS]]] [--database postgresql://user:pass@host:port] [--kafka]
                       ./closedloop token --workspace W [--roles analyst,admin,ingest] [--ttl-days 30]
                       ./closedloop token --feeds-of identity|attribution [--ttl-days 30]   (a consumer's service token)
                       ./closedloop workspace create W [--ingestion-url http://localhost:8180]
                       ./closedloop test""");
    }
}
