package io.closedloop.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An Apache Kafka broker in KRaft mode (its own controller, one node), run from the broker jars on Maven Central that
 * the {@code kafka-broker} module copies to its {@code target/lib}: no Docker, no installation. Its data is kept in a
 * directory like PostgreSQL's, so the run command finds its topics again; tests give it a fresh one and may kill it
 * (SIGKILL) and start it again on the same ports and data.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path root;
    private final Path data;
    private final int port;
    private final int controllerPort;
    private final Path log;
    private Process process;

    private KafkaBroker(Path root, Path data, int port, int controllerPort, Path log) {
        this.root = root;
        this.data = data;
        this.port = port;
        this.controllerPort = controllerPort;
        this.log = log;
    }

    /**
     * Starts a broker listening on {@code port} (its controller on {@code controllerPort}) with its data in {@code data},
     * formatted on the first start; waits until it accepts connections.
     *
     * @param root the repository root, where {@code kafka-broker/target/lib} is
     */
    public static KafkaBroker start(Path root, Path data, int port, int controllerPort, Path log) throws IOException, InterruptedException {
        KafkaBroker broker = new KafkaBroker(root, data, port, controllerPort, log);
        broker.start();
        return broker;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public synchronized void start() throws IOException, InterruptedException {
        Path lib = root.resolve("kafka-broker/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: build first with ./mvnw -DskipTests install");
        }
        Files.createDirectories(data);
        Files.createDirectories(log.getParent());
        Path properties = data.resolveSibling(data.getFileName() + ".properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data.toAbsolutePath(),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                // The relay creates each topic with its retention (closedloop.kafka.retention); check expiry often.
                "log.retention.check.interval.ms=10000", ""));
        if (!Files.exists(data.resolve("meta.properties"))) {
            run(lib, List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId(), "-c", properties.toString(), "--standalone"), true);
        }
        process = run(lib, List.of("kafka.Kafka", properties.toString()), false);
        awaitListening(Duration.ofSeconds(60));
    }

    private Process run(Path lib, List<String> main, boolean wait) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(lib.toAbsolutePath() + "/*");
        command.addAll(main);
        Process started = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (wait && (!started.waitFor(60, TimeUnit.SECONDS) || started.exitValue() != 0)) {
            started.destroyForcibly();
            throw new IllegalStateException("formatting Kafka's storage in " + data + " failed; see " + log);
        }
        return started;
    }

    /**
     * A cluster id as Kafka's own tool makes one: a random UUID in URL-safe base64 without padding. It may start with '-'
     * (one in 64), which the storage tool would read as an option unless it is given as {@code --cluster-id=<id>}.
     */
    private static String clusterId() {
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private void awaitListening(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited before it listened; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the Kafka broker did not listen on " + port + " within " + timeout + "; see " + log);
    }

    /** The running broker's process (benchmarks read its CPU time). */
    public synchronized ProcessHandle handle() {
        if (process == null) {
            throw new IllegalStateException("the Kafka broker is not running");
        }
        return process.toHandle();
    }

    /** SIGKILL: the broker gets no chance to flush (crash tests); {@link #start()} brings it back on the same data. */
    public synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
