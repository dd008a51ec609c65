package io.closedloop.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * PostgreSQL plus any set of the four services, wired to each other: each data service gets its
 * own database and role, every service gets the JWT public key, the others' URLs and a
 * {@code service} token. The run command starts all four on the documented ports; end-to-end
 * tests start the ones they need on free ports and may kill and restart any of them.
 */
public final class ClosedLoopSystem implements AutoCloseable {

    private final Path root;
    private final PostgresServer postgres;
    private final DevKeys keys;
    private final String databasePrefix;
    private final Map<ServiceName, ServiceProcess> services = new EnumMap<>(ServiceName.class);
    // Every service's port once chosen: services started by separate calls must name each other at the same addresses.
    private final Map<ServiceName, Integer> ports = new EnumMap<>(ServiceName.class);
    private final List<ServiceProcess> replicas = new ArrayList<>();
    private final boolean ownsPostgres;
    private java.util.concurrent.ScheduledExecutorService reMinter;

    private ClosedLoopSystem(Path root, PostgresServer postgres, boolean ownsPostgres, DevKeys keys, String databasePrefix) {
        this.root = root;
        this.postgres = postgres;
        this.ownsPostgres = ownsPostgres;
        this.keys = keys;
        this.databasePrefix = databasePrefix;
    }

    /**
     * @param root           the repository root (where the services' {@code target/} folders are)
     * @param postgres       the server the databases live on
     * @param ownsPostgres   whether {@link #close()} also stops the server
     * @param keys           the JWT key pair the services trust
     * @param databasePrefix prefix of database names ("" for the run command; unique per test run)
     */
    private final Map<ServiceName, Map<String, String>> extraEnvironment = new EnumMap<>(ServiceName.class);

    public static ClosedLoopSystem on(Path root, PostgresServer postgres, boolean ownsPostgres, DevKeys keys, String databasePrefix) {
        return new ClosedLoopSystem(root, postgres, ownsPostgres, keys, databasePrefix);
    }

    public DevTokens tokens() {
        return DevTokens.of(keys);
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /** An environment variable for one service's next start (tests override a setting of one service this way). */
    public ClosedLoopSystem environment(ServiceName service, String name, String value) {
        extraEnvironment.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(name, value);
        return this;
    }

    /**
     * The feeds of the next starts run over Kafka at {@code bootstrapServers} (closedloop.feeds.transport=kafka), read
     * in {@code partitions} partitions: the producers relay their streams to topics, the consumers read them.
     */
    public ClosedLoopSystem feedsOverKafka(String bootstrapServers, int partitions) {
        for (ServiceName s : List.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION)) {
            environment(s, "CLOSEDLOOP_FEEDS_TRANSPORT", "kafka");
            environment(s, "CLOSEDLOOP_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
            environment(s, "CLOSEDLOOP_FEEDS_PARTITIONS", Integer.toString(partitions));
        }
        return this;
    }

    /** Starts {@code which} (in dependency order) on the given ports (0 = a free port) and waits until all are ready. */
    public void start(Set<ServiceName> which, Map<ServiceName, Integer> ports, List<String> jvmOptions, Path logDirectory)
            throws IOException, SQLException, InterruptedException {
        Map<ServiceName, Integer> chosen = this.ports;
        for (ServiceName s : ServiceName.values()) {
            Integer asked = ports.get(s);
            if (asked != null && asked != 0) {
                chosen.put(s, asked);
            } else if (!chosen.containsKey(s)) {
                // not asked for: its documented port; 0: a free one
                chosen.put(s, asked == null ? s.defaultPort() : freePort());
            }
        }
        for (ServiceName s : ServiceName.values()) {
            if (!which.contains(s)) {
                continue;
            }
            Map<String, String> env = new LinkedHashMap<>();
            env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", keys.publicKeyFile().toAbsolutePath().toString());
            env.put("MP_JWT_VERIFY_ISSUER", DevTokens.DEFAULT_ISSUER);
            if (!s.feedsRead().isEmpty()) {
                // Each consumer's own token, only for the feeds it reads (the gateway and ingestion hold none), in a file
                // that is re-minted before the token's age limit: the service re-reads it when it changes.
                env.put("CLOSEDLOOP_SERVICE_TOKEN_FILE", writeServiceToken(s).toString());
            }
            for (ServiceName other : ServiceName.values()) {
                env.put(other.urlVariable(), "http://localhost:" + chosen.get(other));
            }
            if (s == ServiceName.INGESTION || s == ServiceName.IDENTITY) {
                env.put("CLOSEDLOOP_PRIVACY_KEY", keys.privacyKey(s.database()));
            }
            // analytics.js is pointed at ingestion's own address, whatever port it was given.
            env.put("CLOSEDLOOP_INGESTION_SEGMENT_PUBLIC_URL", "http://localhost:" + chosen.get(ServiceName.INGESTION));
            if (s.database() != null) {
                String database = databasePrefix + s.database();
                String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
                postgres.ensureDatabase(database, password);
                env.put("CLOSEDLOOP_DB_HOST", postgres.host());
                env.put("CLOSEDLOOP_DB_PORT", Integer.toString(postgres.port()));
                env.put("CLOSEDLOOP_DB_NAME", database);
                env.put("CLOSEDLOOP_DB_USERNAME", database);
                env.put("CLOSEDLOOP_DB_PASSWORD", password);
            }
            env.putAll(extraEnvironment.getOrDefault(s, Map.of()));
            Path jar = root.resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
            ServiceProcess process = new ServiceProcess(s, jar, chosen.get(s), env, jvmOptions,
                    logDirectory.resolve(s.module() + ".log"));
            services.put(s, process);
        }
        List<ServiceProcess> started = new ArrayList<>();
        for (ServiceProcess p : services.values()) {
            if (!p.isAlive()) {
                p.start();
                started.add(p);
            }
        }
        for (ServiceProcess p : started) {
            p.awaitReady(Duration.ofSeconds(120));
        }
    }

    public ServiceProcess service(ServiceName name) {
        ServiceProcess p = services.get(name);
        if (p == null) {
            throw new IllegalArgumentException(name + " was not started");
        }
        return p;
    }

    /**
     * Starts one more replica of a running service (the same database and settings, a port and log of its own) and
     * waits until it is ready; the other services keep calling the first. Stopped by {@link #close()}.
     */
    public ServiceProcess startReplica(ServiceName name) throws IOException, InterruptedException {
        ServiceProcess first = service(name);
        ServiceProcess replica;
        synchronized (replicas) {
            replica = first.replica(freePort(), first.log().resolveSibling(name.module() + "-" + (replicas.size() + 2) + ".log"));
            replicas.add(replica);
        }
        replica.start();
        replica.awaitReady(Duration.ofSeconds(120));
        return replica;
    }

    /** Kills a service with SIGKILL, then starts it again on the same port and waits until it is ready. */
    public void killAndRestart(ServiceName name) throws IOException, InterruptedException {
        ServiceProcess p = service(name);
        p.kill();
        p.start();
        p.awaitReady(Duration.ofSeconds(120));
    }

    /** How long a service token minted here is valid; the services accept tokens issued up to 31 days ago. */
    static final Duration SERVICE_TOKEN_TTL = Duration.ofDays(30);

    /** Writes {@code consumer}'s service token (atomically) and returns its file; re-minted every 12 hours while running. */
    private Path writeServiceToken(ServiceName consumer) throws IOException {
        Path file = keys.publicKeyFile().toAbsolutePath().getParent().resolveSibling("tokens").resolve(consumer.database() + "-service.jwt");
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), consumer.database(), ".tmp");
        Files.writeString(tmp, tokens().mintService(consumer.database() + "-service", consumer.feedsRead(), SERVICE_TOKEN_TTL));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        synchronized (this) {
            if (reMinter == null) {
                reMinter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "service-token-reminter");
                    t.setDaemon(true);
                    return t;
                });
            }
        }
        reMinter.schedule(() -> {
            try {
                writeServiceToken(consumer);
            } catch (IOException e) {
                System.err.println("cannot re-mint the service token of " + consumer.module() + ": " + e.getMessage());
            }
        }, 12, java.util.concurrent.TimeUnit.HOURS);
        return file;
    }

    @Override
    public void close() throws IOException {
        if (reMinter != null) {
            reMinter.shutdownNow();
        }
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        synchronized (replicas) {
            reverse.addAll(replicas);
        }
        java.util.Collections.reverse(reverse);
        for (ServiceProcess p : reverse) {
            try {
                p.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownsPostgres) {
            postgres.close();
        }
    }

    /**
     * A port free now, below Linux's ephemeral range (32768–60999): a port the system hands out (port 0) may be taken, before
     * the service binds it, as the local port of an outgoing connection (another service's to PostgreSQL), and the service
     * then fails to start ("Port … seems to be in use", seen in CI).
     */
    public static int freePort() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket(port)) {
                socket.setReuseAddress(true);
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
