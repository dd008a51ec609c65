package io.closedloop.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL server the system runs on: an embedded one (a real PostgreSQL 15 started from
 * the zonky binaries, no Docker, no installation) or an external one given by URL. Either way
 * each service gets a database and a role of its own, created here if missing.
 */
public final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres embedded;
    private final String host;
    private final int port;
    private final String adminUser;
    private final String adminPassword;

    private PostgresServer(EmbeddedPostgres embedded, String host, int port, String adminUser, String adminPassword) {
        this.embedded = embedded;
        this.host = host;
        this.port = port;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
    }

    /**
     * Starts an embedded PostgreSQL keeping its files in {@code dataDirectory} (so data survives a
     * restart); {@code port} 0 picks a free port.
     */
    public static PostgresServer embedded(Path dataDirectory, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setCleanDataDirectory(dataDirectory == null)
                // A write transaction must not hold back the feeds for long (DESIGN §8); a short
                // lock wait keeps a stuck test from hanging the run.
                .setServerConfig("max_connections", "300")
                .setServerConfig("lock_timeout", "30s");
        if (dataDirectory != null) {
            builder.setDataDirectory(dataDirectory.toFile());
        }
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres pg = builder.start();
        return new PostgresServer(pg, "localhost", pg.getPort(), "postgres", "postgres");
    }

    /** An external server, e.g. {@code postgresql://admin:secret@db.example:5432}; the user must be able to create roles and databases. */
    public static PostgresServer external(String url) {
        URI uri = URI.create(url.replaceFirst("^jdbc:", ""));
        String user = "postgres";
        String password = "";
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : "";
        }
        return new PostgresServer(null, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, user, password);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A connection to {@code database} as the server's administrator (tests that inspect a service's tables). */
    public Connection connectAsAdmin(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), adminUser, adminPassword);
    }

    /** Creates (or updates the password of) a role named {@code name} owning a database of the same name. */
    public void ensureDatabase(String name, String password) throws SQLException {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name must be a lower-case identifier: " + name);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), adminUser, adminPassword);
             Statement s = c.createStatement()) {
            if (!exists(c, "select 1 from pg_roles where rolname = ?", name)) {
                s.execute("create role " + name + " login");
            }
            s.execute("alter role " + name + " password '" + password.replace("'", "''") + "'");
            if (!exists(c, "select 1 from pg_database where datname = ?", name)) {
                s.execute("create database " + name + " owner " + name);
            }
        }
    }

    /** Drops a database (tests use a fresh database per application start). */
    public void dropDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), adminUser, adminPassword);
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
