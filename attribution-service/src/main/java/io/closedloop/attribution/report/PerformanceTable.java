package io.closedloop.attribution.report;

import io.closedloop.attribution.report.ReportViews.PerformanceRow;
import io.closedloop.attribution.report.ReportViews.Unattributed;
import io.closedloop.plumbing.graphql.Money;

import java.math.BigDecimal;
import java.util.List;

/**
 * A performance report's rows as numbers (issue 20): each group's exact figures side by side in one array, its amounts
 * apportioned to minor units once, and rows made only for the page asked (a report of 20,000 content values returns 25
 * of them, so the others are never turned into objects, sorted or written).
 *
 * <p>Exact figures per group, {@link #FIGURES} of them at the offsets named below: credit and amount under the basis,
 * opportunities, spend, pipeline credit, pipeline, won deals, revenue. A group's new customers and median days to
 * conversion order nothing and add up to nothing, so they are made for the page's rows only ({@link PageFigures}). The
 * totals' credit, amount, pipeline credit and pipeline are the rows' sums; the rest count every deal once ({@link Totals}).
 */
public final class PerformanceTable {

    /** What a row shows beyond its sums, made only for the rows a page shows. */
    public interface PageFigures {

        /** Group i's attributed new customers. */
        double newCustomers(int group);

        /** Group i's median days to conversion of its credited won deals (null: none). */
        Double medianDays(int group);
    }

    /**
     * The totals that are not the rows' sums: every attributed deal counts once, whichever groups share its credit.
     *
     * @param medianDays the median days to conversion of all the period's won deals (null: none)
     */
    public record Totals(double opportunities, double spend, double wonDeals, double revenue, double newCustomers,
                         Double medianDays, Unattributed unattributed) {
    }

    public static final int FIGURES = 8;
    public static final int CREDIT = 0;
    public static final int AMOUNT = 1;
    public static final int OPPORTUNITIES = 2;
    public static final int SPEND = 3;
    public static final int PIPELINE_CREDIT = 4;
    public static final int PIPELINE = 5;
    public static final int WON_DEALS = 6;
    public static final int REVENUE = 7;
    /** The figures the totals sum from the rows. */
    private static final int[] SUMMED = {CREDIT, AMOUNT, PIPELINE_CREDIT, PIPELINE};

    private final String[] keys;
    private final double[] exact;
    private final PageFigures pageFigures;
    private final int digits;
    private final long[] amounts;
    private final long[] pipelines;
    private final long[] revenues;
    private final PerformanceRow totals;
    private volatile List<PerformanceRow> sorted;

    /**
     * @param keys  the groups, in any order
     * @param exact their exact figures, {@link #FIGURES} per group in the order of {@code keys}
     */
    public PerformanceTable(String[] keys, double[] exact, PageFigures pageFigures, Totals totals, int digits) {
        this.keys = keys;
        this.exact = exact;
        this.pageFigures = pageFigures;
        this.digits = digits;
        double[] total = new double[FIGURES];
        total[OPPORTUNITIES] = totals.opportunities();
        total[SPEND] = totals.spend();
        total[WON_DEALS] = totals.wonDeals();
        total[REVENUE] = totals.revenue();
        for (int figure : SUMMED) {
            total[figure] = sum(figure);
        }
        // The shared-out amounts are rounded once, here, so that the rows add up to the totals exactly.
        Money totalAmount = Rounding.round(total[AMOUNT], digits);
        Money totalPipeline = Rounding.round(total[PIPELINE], digits);
        Money totalRevenue = Rounding.round(total[REVENUE], digits);
        this.amounts = apportion(AMOUNT, totalAmount);
        this.pipelines = apportion(PIPELINE, totalPipeline);
        this.revenues = apportion(REVENUE, totalRevenue);
        this.totals = row(null, total, 0, totalAmount, totalPipeline, totalRevenue, totals.newCustomers(), totals.medianDays(),
                totals.unattributed());
    }

    /**
     * The rows' sum of one figure, compensated (Neumaier): it does not depend on the rows' order, which follows the key
     * numbers, which follow the order a replica happened to build its structures in; so every replica writes the same
     * totals (to the last bit but for sums a hair from a rounding boundary).
     */
    private double sum(int figure) {
        double sum = 0;
        double error = 0;
        for (int i = 0; i < keys.length; i++) {
            double x = exact[i * FIGURES + figure];
            double t = sum + x;
            error += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }
        return sum + error;
    }

    public int size() {
        return keys.length;
    }

    public PerformanceRow totals() {
        return totals;
    }

    /** Group i's key (groups in the order the table was given them). */
    public String key(int i) {
        return keys[i];
    }

    /** Group i's credit under the basis. */
    public double credit(int i) {
        return exact[i * FIGURES + CREDIT];
    }

    /** Group i's attributed amount under the basis, apportioned, in minor units ({@link #digits} decimals). */
    public long amountUnits(int i) {
        return amounts[i];
    }

    public int digits() {
        return digits;
    }

    /** The page after {@code after} (ComputedReport.ORDER: largest amount first, then by key). */
    public Paging.Page<PerformanceRow> page(String field, String after, int first) {
        return Paging.pageByAmount(field, after, first, amounts, digits, keys, this::row);
    }

    /** Every row in order (snapshots and explanations keep them; a page needs only {@link #page}). */
    public List<PerformanceRow> rows() {
        List<PerformanceRow> all = sorted;
        if (all == null) {
            all = page("rows", null, Math.max(1, keys.length)).items();
            sorted = all = keys.length == 0 ? List.of() : List.copyOf(all);
        }
        return all;
    }

    private long[] apportion(int figure, Money total) {
        double[] column = new double[keys.length];
        for (int i = 0; i < column.length; i++) {
            column[i] = exact[i * FIGURES + figure];
        }
        return Rounding.apportionUnits(column, total.value().unscaledValue().longValueExact(), digits, keys);
    }

    private PerformanceRow row(int i) {
        return row(keys[i], exact, i * FIGURES, money(amounts[i]), money(pipelines[i]), money(revenues[i]),
                pageFigures.newCustomers(i), pageFigures.medianDays(i), null);
    }

    private Money money(long units) {
        return Money.of(BigDecimal.valueOf(units, digits));
    }

    /** A row from its exact figures {@code f[at ..]} and its rounded amounts; ratios from the exact ones. */
    private PerformanceRow row(String key, double[] f, int at, Money amount, Money pipeline, Money revenue, double newCustomers,
                               Double medianDays, Unattributed unattributed) {
        double spend = f[at + SPEND];
        double pipelineCredit = f[at + PIPELINE_CREDIT];
        double wonDeals = f[at + WON_DEALS];
        double exactRevenue = f[at + REVENUE];
        return new PerformanceRow(key, f[at + CREDIT], amount, f[at + OPPORTUNITIES], Rounding.round(spend, digits),
                pipelineCredit, pipeline, wonDeals, revenue, newCustomers, ratio(exactRevenue - spend, spend),
                ratio(exactRevenue, spend), Rounding.ofRatio(costRatio(spend, newCustomers), digits),
                Rounding.ofRatio(costRatio(spend, pipelineCredit), digits), Rounding.ofRatio(ratio(exactRevenue, wonDeals), digits),
                ratio(wonDeals, pipelineCredit), medianDays, unattributed, null);
    }

    public static Double ratio(double numerator, double denominator) {
        return denominator == 0 ? null : numerator / denominator;
    }

    /**
     * A cost per something (CAC, cost per opportunity): null when there is no spend as well as when there is no
     * denominator, so a group without spend data (organic, content, touch types) shows no cost, as its ROI shows none,
     * rather than a cost of 0.
     */
    public static Double costRatio(double spend, double denominator) {
        return spend == 0 ? null : ratio(spend, denominator);
    }
}
