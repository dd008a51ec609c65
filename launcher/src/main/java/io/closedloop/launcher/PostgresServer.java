package io.closedloop.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;

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
     *
     * <p>initdb leaves every connection trusted: any local user could connect as the superuser. So once started, the
     * superuser gets a random password (kept beside the data directory, {@code <dir>.admin-password}, readable by its
     * owner only, so a restart can connect) and every connection, socket or TCP, must authenticate with scram-sha-256.
     */
    public static PostgresServer embedded(Path dataDirectory, int port) throws IOException {
        Path passwordFile = dataDirectory == null ? null
                : dataDirectory.toAbsolutePath().resolveSibling(dataDirectory.getFileName() + ".admin-password");
        String password;
        if (passwordFile != null && Files.exists(passwordFile)) {
            password = Files.readString(passwordFile).strip();
        } else {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            password = HexFormat.of().formatHex(random);
            if (passwordFile != null) {
                Files.createDirectories(passwordFile.getParent());
                Files.writeString(passwordFile, password);
                try {
                    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the file keeps its default permissions
                }
            }
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setCleanDataDirectory(dataDirectory == null)
                // A write transaction must not hold back the feeds for long (DESIGN §8); a short
                // lock wait keeps a stuck test from hanging the run.
                .setServerConfig("max_connections", "300")
                .setServerConfig("lock_timeout", "30s")
                // Tables a load has just filled have no statistics until autovacuum analyzes them (each minute by
                // default): meanwhile the planner guesses, and a report over a freshly loaded demo took 9.5 s instead of
                // 0.7 s. README "Configuration": set the same on a PostgreSQL of your own.
                .setServerConfig("autovacuum_naptime", "5s")
                // the startup check's own connection (trusted on a fresh data directory, authenticated after)
                .setConnectConfig("password", password);
        if (dataDirectory != null) {
            builder.setDataDirectory(dataDirectory.toFile());
        }
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres pg = builder.start();
        requirePasswords(pg, password);
        return new PostgresServer(pg, "localhost", pg.getPort(), "postgres", password);
    }

    /** The superuser's password set, then pg_hba.conf switched from trust to scram-sha-256 for every line, and reloaded. */
    private static void requirePasswords(EmbeddedPostgres pg, String password) throws IOException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("alter role postgres password '" + password + "'");
            Path hba;
            try (var r = s.executeQuery("show hba_file")) {
                r.next();
                hba = Path.of(r.getString(1));
            }
            List<String> lines = Files.readAllLines(hba);
            List<String> secured = lines.stream()
                    .map(l -> l.startsWith("#") ? l : l.replaceAll("\\btrust\\s*$", "scram-sha-256"))
                    .toList();
            if (!secured.equals(lines)) {
                Files.write(hba, secured);
                s.execute("select pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IOException("cannot require passwords of the embedded PostgreSQL", e);
        }
    }

    /** The administrator's password (a random one for the embedded server). */
    public String adminPassword() {
        return adminPassword;
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
