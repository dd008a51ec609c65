package io.closedloop.identity.rest;

import io.closedloop.launcher.testing.FeedPlans;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The memberships feed reads each page as an index range scan on (xid, seq), never a scan and sort of the table. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "identity"))
class FeedPlanTest {

    @Test
    void theMembershipsPageIsAnIndexRangeScan() throws SQLException {
        var config = ConfigProvider.getConfig();
        try (Connection c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class))) {
            c.setAutoCommit(false); // the rows and statistics are rolled back: other tests see neither
            try (Statement s = c.createStatement()) {
                FeedPlans.fill(s, "memberships", "workspace_id, kind, payload", "'plans', 'membership', '{}'");
                FeedPlans.assertIndexRangeScan(c, "memberships", io.closedloop.identity.feed.FeedRelay.MEMBERSHIPS.pageQuery(), List.of("memberships"));
            } finally {
                c.rollback();
            }
        }
    }
}
