package io.closedloop.gateway.reportargs;

import io.closedloop.gateway.reportargs.AttributionQuery.Argument;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AttributionQueryTest {

    enum Basis { PIPELINE, REVENUE }

    record Period(String from, String to) {
    }

    record Weights(double ft, double lc, double oc, double cw, double middle) {
    }

    record Model(String name, Double halfLifeDays, Weights weights) {
    }

    record Row(String key, double credit) {
    }

    record Report(String groupBy, List<Row> rows, Row totals, List<String> names) {
    }

    @Test
    void everyArgumentTravelsUnchangedAsAVariableOfTheSubgraphsType() {
        var operation = AttributionQuery.of("performance", Row.class,
                new Argument("period", "PeriodInput!", new Period("2026-01-01", "2026-03-31")),
                new Argument("model", "ModelInput!", new Model("CUSTOM", null, new Weights(0.3, 0.25, 0.2, 0.15, 0.1))),
                new Argument("basis", "Basis", Basis.REVENUE), new Argument("first", "Int", 25));
        assertEquals("query($period: PeriodInput!, $model: ModelInput!, $basis: Basis, $first: Int) { performance(period: $period,"
                + " model: $model, basis: $basis, first: $first) { key credit } }", operation.query());
        assertEquals(Map.of("from", "2026-01-01", "to", "2026-03-31"), operation.variables().get("period"));
        Map<?, ?> model = (Map<?, ?>) operation.variables().get("model");
        assertEquals("CUSTOM", model.get("name"));
        assertEquals(Map.of("ft", 0.3, "lc", 0.25, "oc", 0.2, "cw", 0.15, "middle", 0.1), model.get("weights"));
        assertEquals("REVENUE", operation.variables().get("basis"));
        assertEquals(25, operation.variables().get("first"));
    }

    @Test
    void absentArgumentsAreLeftOutSoTheSubgraphsDefaultsApply() {
        var operation = AttributionQuery.of("sourcedInfluenced", Report.class,
                new Argument("period", "PeriodInput!", new Period("2026-03-01", "2026-03-31")), new Argument("groupBy", "Dimension", null));
        assertEquals("query($period: PeriodInput!) { sourcedInfluenced(period: $period)"
                + " { groupBy rows { key credit } totals { key credit } names } }", operation.query());
        assertEquals(List.of("period"), List.copyOf(operation.variables().keySet()));
    }

    @Test
    void idsCannotBreakOutOfTheDocument() {
        String id = "a\"} evil { x\\\n";
        var operation = AttributionQuery.of("accountView", Row.class, new Argument("accountId", "String!", id));
        assertEquals("query($accountId: String!) { accountView(accountId: $accountId) { key credit } }", operation.query());
        assertEquals(id, operation.variables().get("accountId"));
    }
}
