package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.ReportViews.PerformanceRow;
import io.closedloop.attribution.report.ReportViews.Unattributed;
import io.closedloop.plumbing.graphql.Money;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A performance report as a snapshot keeps it (issue 22): its figures only — the rows' keys (channels, campaigns and the
 * like, never a person's data) and numbers, the totals, the currency and the time of the data — as JSON, exact (money as
 * its decimal string, ratios as the doubles the API returned). Pure.
 */
public final class StoredReport {

    private static final String[] FIGURES = {"credit", "opportunities", "pipelineOpportunities", "wonDeals", "newCustomers"};

    private StoredReport() {
    }

    /** {@code report} with its first {@code rows} rows (largest first) and its totals. */
    public static JsonObject encode(ComputedReport report, int rows) {
        JsonArray out = new JsonArray();
        report.rows().stream().limit(rows).forEach(r -> out.add(row(r)));
        return new JsonObject().put("model", report.model().name()).put("basis", report.basis().name())
                .put("groupBy", report.groupBy().name()).put("currency", report.currency()).put("dataAsOf", report.dataAsOf())
                .put("rows", out).put("totalRows", report.rows().size()).put("totals", row(report.totals()));
    }

    public static ComputedReport decode(JsonObject stored) {
        List<PerformanceRow> rows = new ArrayList<>();
        stored.getJsonArray("rows").forEach(r -> rows.add(row((JsonObject) r)));
        return new ComputedReport(ModelName.valueOf(stored.getString("model")), Basis.valueOf(stored.getString("basis")),
                Dimension.valueOf(stored.getString("groupBy")), stored.getString("currency"), stored.getString("dataAsOf"), rows,
                row(stored.getJsonObject("totals")), null);
    }

    private static JsonObject row(PerformanceRow r) {
        JsonObject o = new JsonObject().put("key", r.key()).put("credit", r.credit()).put("amount", money(r.amount()))
                .put("opportunities", r.opportunities()).put("spend", money(r.spend()))
                .put("pipelineOpportunities", r.pipelineOpportunities()).put("pipeline", money(r.pipeline()))
                .put("wonDeals", r.wonDeals()).put("revenue", money(r.revenue())).put("newCustomers", r.newCustomers())
                .put("roi", r.roi()).put("roas", r.roas()).put("cac", money(r.cac()))
                .put("costPerOpportunity", money(r.costPerOpportunity())).put("averageDealSize", money(r.averageDealSize()))
                .put("conversionRate", r.conversionRate()).put("medianDaysToConversion", r.medianDaysToConversion());
        if (r.unattributed() != null) {
            o.put("unattributed", new JsonObject().put("count", r.unattributed().count())
                    .put("amount", money(r.unattributed().amount())));
        }
        return o;
    }

    private static PerformanceRow row(JsonObject o) {
        double[] f = new double[FIGURES.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = o.getDouble(FIGURES[i]);
        }
        JsonObject u = o.getJsonObject("unattributed");
        return new PerformanceRow(o.getString("key"), f[0], money(o, "amount"), f[1], money(o, "spend"), f[2], money(o, "pipeline"),
                f[3], money(o, "revenue"), f[4], o.getDouble("roi"), o.getDouble("roas"), money(o, "cac"),
                money(o, "costPerOpportunity"), money(o, "averageDealSize"), o.getDouble("conversionRate"),
                o.getDouble("medianDaysToConversion"),
                u == null ? null : new Unattributed(u.getInteger("count"), money(u, "amount")), null);
    }

    private static String money(Money m) {
        return m == null ? null : m.toString();
    }

    private static Money money(JsonObject o, String field) {
        String text = o.getString(field);
        return text == null ? null : new Money(text);
    }
}
