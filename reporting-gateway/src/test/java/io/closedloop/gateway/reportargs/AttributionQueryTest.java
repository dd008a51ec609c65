package io.closedloop.gateway.reportargs;

import io.closedloop.gateway.reportargs.ReportArguments.Weights;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AttributionQueryTest {

    @Test
    void reportCarriesEveryCheckedArgumentAsALiteral() {
        var period = ReportArguments.period("op", "2026-01-01", "2026-03-31");
        var model = ReportArguments.model("op", "model", "custom", null, 60, new Weights(0.3, 0.3, 0.2, 0.1, 0.1), null);
        assertEquals("{ attribution(period: {from: \"2026-01-01\", to: \"2026-03-31\"}, model: {name: CUSTOM, lookbackDays: 60, "
                        + "weights: {ft: 0.3, lc: 0.3, oc: 0.2, cw: 0.1, middle: 0.1}}, basis: REVENUE, groupBy: CAMPAIGN) "
                        + "{ rows { key credit amount opportunities } removalEffects { channel effect } dataAsOf } }",
                AttributionQuery.report(period, model, "REVENUE", "CAMPAIGN"));
    }

    @Test
    void idsCannotBreakOutOfTheirStringLiteral() {
        assertEquals("\"a\\\"} evil { x\\\\\\u000a\"", AttributionQuery.string("a\"} evil { x\\\n"));
    }
}
