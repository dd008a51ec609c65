package io.closedloop.launcher.testing;

import io.closedloop.launcher.PostgresServer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one PostgreSQL of a test run: an embedded PostgreSQL 15 started on first use and stopped
 * when the JVM exits, or the external server named by {@value #EXTERNAL_VARIABLE} (a URL such as
 * {@code postgresql://postgres:secret@localhost:5432}) when that variable is set.
 */
public final class TestPostgres {

    public static final String EXTERNAL_VARIABLE = "CLOSEDLOOP_TEST_POSTGRES_URL";

    private static PostgresServer server;

    private TestPostgres() {
    }

    public static synchronized PostgresServer server() {
        if (server == null) {
            String external = System.getenv(EXTERNAL_VARIABLE);
            try {
                server = external != null && !external.isBlank()
                        ? PostgresServer.external(external)
                        : PostgresServer.embedded(null, 0);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
            PostgresServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // The JVM is going away; the embedded server's files are in a temp directory.
                }
            }));
        }
        return server;
    }
}
