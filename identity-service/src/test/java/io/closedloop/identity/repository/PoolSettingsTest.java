package io.closedloop.identity.repository;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The service's sessions bound every statement and idle transaction (one would otherwise hold back every feed's
 * commit-safe horizon) and commit synchronously, whatever the server's defaults (the embedded test server's:
 * no timeouts, synchronous_commit off).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "identity"))
class PoolSettingsTest {

    @Inject
    Pool pool;

    @Test
    void statementsAndIdleTransactionsAreBoundedAndCommitsDurable() {
        Row row = pool.query("select current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout'),"
                + " current_setting('synchronous_commit')").execute().await().indefinitely().iterator().next();
        assertEquals("1min", row.getString(0));
        assertEquals("1min", row.getString(1));
        assertEquals("on", row.getString(2));
    }
}
