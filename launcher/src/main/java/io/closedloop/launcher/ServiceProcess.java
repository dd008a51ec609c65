package io.closedloop.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged service running as a child process (JVM mode, {@code quarkus-run.jar}) on a port,
 * with its output in a log file. It can be stopped gracefully, killed with SIGKILL and restarted,
 * which is what the run command and the end-to-end tests need.
 */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ServiceName service;
    private final Path jar;
    private final int port;
    private final Map<String, String> environment;
    private final List<String> jvmOptions;
    private final Path log;
    private Process process;

    public ServiceProcess(ServiceName service, Path jar, int port, Map<String, String> environment,
                          List<String> jvmOptions, Path log) {
        this.service = service;
        this.jar = jar;
        this.port = port;
        this.environment = Map.copyOf(environment);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.log = log;
    }

    /** Another process of the same service: the same jar, settings and database, its own port and log. */
    public ServiceProcess replica(int port, Path log) {
        return new ServiceProcess(service, jar, port, environment, jvmOptions, log);
    }

    public ServiceName service() {
        return service;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public Path log() {
        return log;
    }

    public synchronized void start() throws IOException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first with ./mvnw -DskipTests install");
        }
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        process = builder.start();
    }

    /** Waits until {@code /q/health/ready} answers 200, failing early if the process dies. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException(service.module() + " exited before it was ready; see " + log);
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(service.module() + " not ready after " + timeout + "; see " + log);
    }

    /** SIGTERM, then waits for a clean shutdown. */
    public synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** SIGKILL: the process gets no chance to flush or finish anything (crash tests). */
    public synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The running process (benchmarks read its CPU time). */
    public synchronized ProcessHandle handle() {
        if (process == null) {
            throw new IllegalStateException(service.module() + " is not running");
        }
        return process.toHandle();
    }
}
