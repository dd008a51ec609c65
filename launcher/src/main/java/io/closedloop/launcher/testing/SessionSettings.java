package io.closedloop.launcher.testing;

import java.util.List;

/**
 * The PostgreSQL session settings every service's reactive pool asks for (application.properties), whatever the
 * server's defaults (the embedded test server has no timeouts and synchronous_commit off): each service's tests run
 * {@link #QUERY} on its pool and expect {@link #EXPECTED}.
 */
public final class SessionSettings {

    /** statement_timeout, idle_in_transaction_session_timeout, synchronous_commit. */
    public static final String QUERY = "select current_setting('statement_timeout'),"
            + " current_setting('idle_in_transaction_session_timeout'), current_setting('synchronous_commit')";

    /** Bounded statements and idle transactions (one would otherwise hold back every feed's horizon); durable commits. */
    public static final List<String> EXPECTED = List.of("1min", "1min", "on");

    private SessionSettings() {
    }
}
