package io.closedloop.launcher.testing;

import io.closedloop.launcher.DevTokens;
import io.closedloop.launcher.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

/**
 * Gives a {@code @QuarkusTest} application a fresh database of its own on the test run's
 * PostgreSQL, and the test key pair for JWT verification. Use with
 * {@code @QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))}.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private String database;

    @Override
    public void init(Map<String, String> initArgs) {
        String prefix = initArgs.getOrDefault("database", "test");
        database = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Override
    public Map<String, String> start() {
        PostgresServer server = TestPostgres.server();
        try {
            server.ensureDatabase(database, database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + database, e);
        }
        return Map.of(
                "closedloop.db.host", server.host(),
                "closedloop.db.port", Integer.toString(server.port()),
                "closedloop.db.name", database,
                "closedloop.db.username", database,
                "closedloop.db.password", database,
                "mp.jwt.verify.publickey.location", TestKeys.keys().publicKeyFile().toString(),
                "mp.jwt.verify.issuer", DevTokens.DEFAULT_ISSUER,
                "closedloop.privacy.key", TestKeys.PRIVACY_KEY);
    }

    @Override
    public void stop() {
        try {
            TestPostgres.server().dropDatabase(database);
        } catch (SQLException e) {
            // Left behind in the test run's throw-away server; harmless.
        }
    }
}
