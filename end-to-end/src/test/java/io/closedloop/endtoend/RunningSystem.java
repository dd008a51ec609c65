package io.closedloop.endtoend;

import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.DevTokens;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.testing.GraphQlCalls;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.launcher.testing.TestPostgres;
import io.restassured.response.ValidatableResponse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole system for one test class: the four packaged services as processes on free ports
 * against the test run's PostgreSQL, each with fresh databases.
 */
final class RunningSystem implements AutoCloseable {

    final ClosedLoopSystem system;
    private final String databasePrefix;

    private RunningSystem(ClosedLoopSystem system, String databasePrefix) {
        this.system = system;
        this.databasePrefix = databasePrefix;
    }

    /** A JDBC connection (as the server's superuser) to a service's database. */
    java.sql.Connection database(ServiceName service) throws java.sql.SQLException {
        return TestPostgres.server().connectAsAdmin(databasePrefix + service.database());
    }

    static RunningSystem start() throws Exception {
        return start(Map.of());
    }

    /** The four services, with environment variables for some of them (settings overridden for a test). */
    static RunningSystem start(Map<ServiceName, Map<String, String>> environment) throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        for (ServiceName s : ServiceName.values()) {
            Path jar = root.resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: run the whole build (./mvnw verify) so the services are packaged first");
            }
        }
        String prefix = "e2e_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        ClosedLoopSystem system = ClosedLoopSystem.on(root, TestPostgres.server(), false, TestKeys.keys(), prefix);
        Map<ServiceName, Integer> freePorts = Map.of(ServiceName.INGESTION, 0, ServiceName.IDENTITY, 0,
                ServiceName.ATTRIBUTION, 0, ServiceName.GATEWAY, 0);
        environment.forEach((service, variables) -> variables.forEach((name, value) -> system.environment(service, name, value)));
        system.start(EnumSet.allOf(ServiceName.class), freePorts, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                Path.of("target", "service-logs", prefix));
        return new RunningSystem(system, prefix);
    }

    /** Only {@code which} of the services (each with a fresh database), for tests that need no more. */
    static RunningSystem startOnly(ServiceName... which) throws Exception {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        String prefix = "e2e_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        ClosedLoopSystem system = ClosedLoopSystem.on(root, TestPostgres.server(), false, TestKeys.keys(), prefix);
        Map<ServiceName, Integer> freePorts = new java.util.EnumMap<>(ServiceName.class);
        for (ServiceName s : ServiceName.values()) {
            freePorts.put(s, 0);
        }
        system.start(EnumSet.copyOf(List.of(which)), freePorts, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                Path.of("target", "service-logs", prefix));
        return new RunningSystem(system, prefix);
    }

    /** An operator's {@code service} token: reads every feed of every workspace. */
    String serviceToken() {
        return DevTokens.of(TestKeys.keys()).mintService("e2e", ServiceName.allFeeds(), Duration.ofHours(1));
    }

    String url(ServiceName service) {
        return system.service(service).url();
    }

    String token(String workspace, String... roles) {
        return DevTokens.of(TestKeys.keys()).mint("e2e", workspace, List.of(roles), Duration.ofHours(1));
    }

    ValidatableResponse graphql(ServiceName service, String token, String query) {
        return GraphQlCalls.graphql(url(service), token, query);
    }

    @Override
    public void close() throws Exception {
        system.close();
    }
}
