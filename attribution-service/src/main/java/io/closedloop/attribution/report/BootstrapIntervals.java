package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.report.ReportViews.Interval;
import io.closedloop.attribution.report.ReportViews.RowInterval;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sampling intervals of a performance report's figures (issue 22) by a percentile bootstrap over the period's
 * opportunities: each resample draws as many opportunities as the period has, with replacement, and a figure of the
 * resample is the sum over the drawn opportunities of what each gives it (so a resample re-weights the opportunities'
 * credits by how often each was drawn; nothing is recomputed). The interval of level L is the (1 − L)/2 and (1 + L)/2
 * quantiles of the figure over the resamples.
 *
 * <p>An opportunity is one unit on both bases: created in the period, its pipeline journey's credits count for the
 * pipeline figures; won in the period, its revenue journey's credits count for the won figures; the ratios of a resample
 * (ROI, ROAS, CAC) are of its own sums, so they vary together. Spend is not resampled (it is booked, not sampled). The
 * resamples are drawn from a generator seeded by the question, so the same question gives the same interval.
 *
 * <p>These bounds measure sampling uncertainty: how much the figure would move with slightly different deals under the
 * same model. They do not measure how much the choice of model matters (model comparison shows that).
 */
public final class BootstrapIntervals {

    /**
     * One opportunity of the period with its credits by key number: {@code pipelineKeys}/{@code pipelineCredits} when it
     * was created in the period (empty otherwise), {@code wonKeys}/{@code wonCredits} when it was won in the period.
     */
    public record Deal(double amount, boolean newCustomer, int[] pipelineKeys, double[] pipelineCredits, int[] wonKeys,
                       double[] wonCredits) {
    }

    /** Per resample and row: pipeline credit, pipeline, won credit, revenue, new-customer credit. */
    private static final int SUMS = 5;

    private BootstrapIntervals() {
    }

    /**
     * The figures' intervals of the rows whose keys are {@code rows} (key numbers, as the deals' keys) and of the totals
     * (last), as RowInterval (credit and amount: the report's basis), given each row's spend and the total spend.
     *
     * @param seed the question's seed (the same question, the same resamples)
     */
    public static List<RowInterval> of(List<Deal> deals, Basis basis, int[] rows, double[] rowSpend, double totalSpend, double level,
                                   int resamples, long seed) {
        int keys = 0;
        for (Deal d : deals) {
            keys = Math.max(keys, max(d.pipelineKeys()) + 1);
            keys = Math.max(keys, max(d.wonKeys()) + 1);
        }
        for (int key : rows) {
            keys = Math.max(keys, key + 1);
        }
        // A key's row (its position in rows), -1 when not asked; the totals are row rows.length.
        int[] rowOf = new int[keys];
        Arrays.fill(rowOf, -1);
        for (int r = 0; r < rows.length; r++) {
            rowOf[rows[r]] = r;
        }
        int totals = rows.length;
        // [row][sum][resample]
        double[][][] sums = new double[rows.length + 1][SUMS][resamples];
        int n = deals.size();
        int[] drawn = new int[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int s = 0; s < resamples; s++) {
            Arrays.fill(drawn, 0);
            for (int i = 0; i < n; i++) {
                drawn[random.nextInt(n)]++;
            }
            for (int o = 0; o < n; o++) {
                if (drawn[o] == 0) {
                    continue;
                }
                Deal d = deals.get(o);
                double weight = drawn[o];
                int[] pk = d.pipelineKeys();
                double[] pc = d.pipelineCredits();
                for (int i = 0; i < pk.length; i++) {
                    double c = weight * pc[i];
                    add(sums, rowOf[pk[i]], totals, 0, s, c);
                    add(sums, rowOf[pk[i]], totals, 1, s, c * d.amount());
                }
                int[] wk = d.wonKeys();
                double[] wc = d.wonCredits();
                for (int i = 0; i < wk.length; i++) {
                    double c = weight * wc[i];
                    add(sums, rowOf[wk[i]], totals, 2, s, c);
                    add(sums, rowOf[wk[i]], totals, 3, s, c * d.amount());
                    if (d.newCustomer()) {
                        add(sums, rowOf[wk[i]], totals, 4, s, c);
                    }
                }
            }
        }
        RowInterval[] out = new RowInterval[rows.length + 1];
        for (int r = 0; r <= rows.length; r++) {
            out[r] = figures(sums[r], basis, r == totals ? totalSpend : rowSpend[r], level);
        }
        return List.of(out);
    }

    private static void add(double[][][] sums, int row, int totals, int sum, int resample, double value) {
        if (row >= 0) {
            sums[row][sum][resample] += value;
        }
        sums[totals][sum][resample] += value;
    }

    private static RowInterval figures(double[][] sums, Basis basis, double spend, double level) {
        int resamples = sums[0].length;
        double[] roi = new double[resamples];
        double[] roas = new double[resamples];
        double[] cac = new double[resamples];
        for (int s = 0; s < resamples; s++) {
            double revenue = sums[3][s];
            roi[s] = (revenue - spend) / spend;
            roas[s] = revenue / spend;
            double customers = sums[4][s];
            cac[s] = customers == 0 ? Double.POSITIVE_INFINITY : spend / customers;
        }
        boolean pipeline = basis == Basis.PIPELINE;
        boolean spent = spend != 0;
        return new RowInterval(level, resamples, bounds(sums[pipeline ? 0 : 2], level), bounds(sums[pipeline ? 1 : 3], level),
                bounds(sums[1], level), bounds(sums[3], level),
                spent ? bounds(roi, level) : null, spent ? bounds(roas, level) : null, spent ? bounds(cac, level) : null);
    }

    /** The percentile interval of {@code values} (sorted here, in place): quantiles interpolated linearly between ranks. */
    static Interval bounds(double[] values, double level) {
        Arrays.sort(values);
        double tail = (1 - level) / 2;
        return new Interval(finite(quantile(values, tail)), finite(quantile(values, 1 - tail)));
    }

    /** The q-quantile of sorted {@code values}, interpolated between the ranks around (n − 1) q. */
    static double quantile(double[] sorted, double q) {
        double position = (sorted.length - 1) * q;
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        double fraction = position - below;
        if (fraction == 0) {
            return sorted[below];
        }
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static int max(int[] keys) {
        int m = -1;
        for (int k : keys) {
            m = Math.max(m, k);
        }
        return m;
    }
}
