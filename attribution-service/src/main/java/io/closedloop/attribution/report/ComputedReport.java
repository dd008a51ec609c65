package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.ReportViews.ModelExplanation;
import io.closedloop.attribution.report.ReportViews.PerformanceMetrics;
import io.closedloop.attribution.report.ReportViews.PerformanceRow;
import io.closedloop.attribution.report.ReportViews.ReportRowConnection;
import io.closedloop.attribution.report.ReportViews.ReportRowEdge;

import java.util.List;

/**
 * A performance report with every row, as computed (a PerformanceTable, which makes rows only for the pages asked) or as
 * kept in a snapshot (its rows); the API returns pages of it.
 */
public final class ComputedReport {

    /** Largest amount first, then by key: the rows' order and their cursors'. */
    public static final Paging.Order<PerformanceRow> ORDER = Paging.byAmountThenKey(PerformanceRow::amount, PerformanceRow::key);

    private final ModelName model;
    private final Basis basis;
    private final Dimension groupBy;
    private final String currency;
    private final String dataAsOf;
    private final PerformanceTable table;
    private final List<PerformanceRow> rows;
    private final PerformanceRow totals;
    private final ModelExplanation explanation;

    /** A report kept as rows (sorted by {@link #ORDER}). */
    public ComputedReport(ModelName model, Basis basis, Dimension groupBy, String currency, String dataAsOf,
                          List<PerformanceRow> rows, PerformanceRow totals, ModelExplanation explanation) {
        this(model, basis, groupBy, currency, dataAsOf, null, rows, totals, explanation);
    }

    /** A report as computed. */
    public ComputedReport(ModelName model, Basis basis, Dimension groupBy, String currency, String dataAsOf,
                          PerformanceTable table, ModelExplanation explanation) {
        this(model, basis, groupBy, currency, dataAsOf, table, null, table.totals(), explanation);
    }

    private ComputedReport(ModelName model, Basis basis, Dimension groupBy, String currency, String dataAsOf,
                           PerformanceTable table, List<PerformanceRow> rows, PerformanceRow totals,
                           ModelExplanation explanation) {
        this.model = model;
        this.basis = basis;
        this.groupBy = groupBy;
        this.currency = currency;
        this.dataAsOf = dataAsOf;
        this.table = table;
        this.rows = rows;
        this.totals = totals;
        this.explanation = explanation;
    }

    public ModelName model() {
        return model;
    }

    public Basis basis() {
        return basis;
    }

    public Dimension groupBy() {
        return groupBy;
    }

    public String currency() {
        return currency;
    }

    public String dataAsOf() {
        return dataAsOf;
    }

    /** Every row, sorted by {@link #ORDER}. */
    public List<PerformanceRow> rows() {
        return table != null ? table.rows() : rows;
    }

    /** The rows as computed (null for a report kept as rows). */
    public PerformanceTable table() {
        return table;
    }

    /** How many rows the report has. */
    public int size() {
        return table != null ? table.size() : rows.size();
    }

    public PerformanceRow totals() {
        return totals;
    }

    public ModelExplanation explanation() {
        return explanation;
    }

    /** The page of rows after {@code after}; {@code field} names the argument in errors. */
    public PerformanceMetrics page(String field, String after, int first) {
        Paging.Page<PerformanceRow> page = table != null ? table.page(field, after, first)
                : Paging.page(field, rows, after, first, ORDER);
        return new PerformanceMetrics(model, basis, groupBy, currency, dataAsOf,
                new ReportRowConnection(page.edges(ReportRowEdge::new), page.pageInfo(), page.totalCount()), totals, explanation);
    }
}
