package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.ReportViews.ModelExplanation;
import io.closedloop.attribution.report.ReportViews.PerformanceMetrics;
import io.closedloop.attribution.report.ReportViews.PerformanceRow;
import io.closedloop.attribution.report.ReportViews.ReportRowConnection;
import io.closedloop.attribution.report.ReportViews.ReportRowEdge;

import java.util.List;

/** A performance report with every row, as computed (and cached); the API returns pages of it. */
public record ComputedReport(ModelName model, Basis basis, Dimension groupBy, String currency, String dataAsOf,
                             List<PerformanceRow> rows, PerformanceRow totals, ModelExplanation explanation) {

    /** Largest amount first, then by key: the rows' order and their cursors'. */
    public static final Paging.Order<PerformanceRow> ORDER = Paging.byAmountThenKey(PerformanceRow::amount, PerformanceRow::key);

    /** The page of rows after {@code after}; {@code field} names the argument in errors. */
    public PerformanceMetrics page(String field, String after, int first) {
        Paging.Page<PerformanceRow> page = Paging.page(field, rows, after, first, ORDER);
        return new PerformanceMetrics(model, basis, groupBy, currency, dataAsOf,
                new ReportRowConnection(page.edges(ReportRowEdge::new), page.pageInfo(), page.totalCount()), totals, explanation);
    }
}
