package io.closedloop.endtoend;

import io.closedloop.launcher.PostgresServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded PostgreSQL of the run command and the tests requires passwords (initdb leaves every connection trusted):
 * the superuser has a random one kept beside the data directory, every role must authenticate, and a restart on the same
 * data directory still starts.
 */
class EmbeddedPostgresIT {

    @Test
    void everyConnectionMustAuthenticateAndARestartOnTheSameDataStillStarts() throws Exception {
        Path dir = Files.createTempDirectory("closedloop-pg-auth").resolve("pgdata");
        String password;
        try (PostgresServer postgres = PostgresServer.embedded(dir, 0)) {
            password = postgres.adminPassword();
            String url = postgres.jdbcUrl("postgres");
            SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "postgres", "postgres").close());
            assertEquals("28P01", refused.getSQLState(), "password authentication failed: " + refused.getMessage());
            assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "postgres", "").close());
            try (Connection c = postgres.connectAsAdmin("postgres")) {
                assertTrue(c.isValid(5));
            }
            postgres.ensureDatabase("authcheck", "role-secret");
            DriverManager.getConnection(postgres.jdbcUrl("authcheck"), "authcheck", "role-secret").close();
            assertThrows(SQLException.class, () -> DriverManager.getConnection(postgres.jdbcUrl("authcheck"), "authcheck", "wrong").close());
        }
        assertTrue(Files.readString(dir.resolveSibling("pgdata.admin-password")).strip().equals(password));
        try (PostgresServer again = PostgresServer.embedded(dir, 0); Connection c = again.connectAsAdmin("authcheck")) {
            assertEquals(password, again.adminPassword());
            assertTrue(c.isValid(5));
        }
    }
}
