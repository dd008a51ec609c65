package io.closedloop.gateway.reportargs;

import io.closedloop.gateway.reportargs.ReportArguments.Weights;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AttributionQueryTest {

    @Test
    void reportCarriesEveryCheckedArgumentAsALiteral() {
        var period = ReportArguments.period("op", "2026-01-01", "2026-03-31");
        var model = ReportArguments.model("op", "model", "time-decay", 3.5, 60, null, null);
        assertEquals("{ attribution(from: \"2026-01-01\", to: \"2026-04-01\", model: \"time_decay\", halfLifeDays: 3.5, "
                        + "lookbackDays: 60, basis: REVENUE, groupBy: CAMPAIGN) { rows { key credit amount opportunities } dataAsOf } }",
                AttributionQuery.report(period, model, "REVENUE", "CAMPAIGN"));
    }

    @Test
    void customWeightsTravelAsTheSubgraphsInput() {
        var period = ReportArguments.period("op", "2026-01-01", "2026-03-31");
        var model = ReportArguments.model("op", "model", "custom", null, null, new Weights(0.3, 0.25, 0.2, 0.15, 0.1), null);
        assertEquals("{ attribution(from: \"2026-01-01\", to: \"2026-04-01\", model: \"custom\", customWeights: {firstTouch: 0.3, "
                        + "leadCreation: 0.25, opportunityCreation: 0.2, closedWon: 0.15, middle: 0.1}, basis: PIPELINE, groupBy: CHANNEL) "
                        + "{ rows { key credit amount opportunities } dataAsOf } }",
                AttributionQuery.report(period, model, "PIPELINE", "CHANNEL"));
    }

    @Test
    void idsCannotBreakOutOfTheirStringLiteral() {
        assertEquals("\"a\\\"} evil { x\\\\\\u000a\"", AttributionQuery.string("a\"} evil { x\\\n"));
    }
}
