package io.closedloop.gateway.reportargs;

import io.closedloop.gateway.reportargs.ReportArguments.Weights;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributionQueryTest {

    @Test
    void performanceCarriesEveryCheckedArgumentAsAVariable() {
        var period = ReportArguments.period("op", "2026-01-01", "2026-03-31");
        var model = ReportArguments.model("op", "model", "time-decay", 3.5, 60, null, null);
        var operation = AttributionQuery.performance(period, model, "REVENUE", "CAMPAIGN", 25, Row.class);
        assertEquals(java.util.Map.of("from", "2026-01-01", "to", "2026-04-01", "model", "time_decay", "halfLifeDays", 3.5,
                "lookbackDays", 60, "basis", "REVENUE", "groupBy", "CAMPAIGN", "first", 25), operation.variables());
        assertTrue(operation.query().endsWith("journeyScope: $journeyScope, first: $first) { dataAsOf totalRows rows { key credit }"
                + " totals { key credit } } }"), operation.query());
        // The same document whatever the arguments: the subgraph parses it once.
        var custom = ReportArguments.model("op", "model", "custom", null, null, new Weights(0.3, 0.25, 0.2, 0.15, 0.1), null);
        var other = AttributionQuery.performance(ReportArguments.period("op", "2025-01-01", "2025-12-31"), custom, "PIPELINE",
                "CHANNEL", 100, Row.class);
        assertEquals(operation.query(), other.query());
        assertEquals(java.util.Map.of("firstTouch", 0.3, "leadCreation", 0.25, "opportunityCreation", 0.2, "closedWon", 0.15,
                "middle", 0.1), other.variables().get("customWeights"));
    }

    @Test
    void customWeightsTravelAsTheSubgraphsInput() {
        var period = ReportArguments.period("op", "2026-01-01", "2026-03-31");
        var model = ReportArguments.model("op", "model", "custom", null, null, new Weights(0.3, 0.25, 0.2, 0.15, 0.1), null);
        assertEquals("{ creditedOpportunities(from: \"2026-01-01\", to: \"2026-04-01\", model: \"custom\", customWeights: "
                        + "{firstTouch: 0.3, leadCreation: 0.25, opportunityCreation: 0.2, closedWon: 0.15, middle: 0.1}, basis: PIPELINE, "
                        + "groupBy: CHANNEL, key: \"paid_search\", first: 5) { key credit } }",
                AttributionQuery.creditedOpportunities(period, model, "PIPELINE", "CHANNEL", "paid_search", 5, Row.class));
    }

    @Test
    void theSelectionAsksForEveryComponentOfTheGatewaysTypeNestedListsIncluded() {
        var period = ReportArguments.period("op", "2026-03-01", "2026-03-31");
        assertEquals("{ sourcedInfluenced(from: \"2026-03-01\", to: \"2026-04-01\", groupBy: SOURCE) "
                        + "{ groupBy rows { key credit } totals { key credit } names } }",
                AttributionQuery.periodReport("sourcedInfluenced", period, "groupBy: SOURCE", Report.class));
    }

    @Test
    void theJourneyScopeIsCheckedAndForwarded() {
        var period = ReportArguments.period("op", "2026-01-01", "2026-01-31");
        var model = ReportArguments.model("op", "model", "linear", null, null, null, null)
                .withJourneyScope(ReportArguments.journeyScope("op", "model.journeyScope", "contact_roles"));
        assertEquals("{ creditedOpportunities(from: \"2026-01-01\", to: \"2026-02-01\", model: \"linear\", journeyScope: "
                        + "CONTACT_ROLES, basis: PIPELINE, groupBy: CHANNEL, first: 1) { key credit } }",
                AttributionQuery.creditedOpportunities(period, model, "PIPELINE", "CHANNEL", null, 1, Row.class));
        var error = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ReportArguments.journeyScope("op", "model.journeyScope", "TEAM"));
        assertEquals("op.model.journeyScope: unknown value 'TEAM'; one of [ACCOUNT, CONTACT_ROLES]", error.getMessage());
    }

    record Row(String key, double credit) {
    }

    record Report(String groupBy, java.util.List<Row> rows, Row totals, java.util.List<String> names) {
    }

    @Test
    void idsCannotBreakOutOfTheirStringLiteral() {
        assertEquals("\"a\\\"} evil { x\\\\\\u000a\"", AttributionQuery.string("a\"} evil { x\\\n"));
    }
}
