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
    /** Resamples summed side by side. */
    private static final int BLOCK = 32;

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
        // [row][sum][resample]; a resample's sums add up in one small array first (its rows' and the totals'), which stays
        // in cache, then are copied out.
        double[][][] sums = new double[rows.length + 1][SUMS][resamples];
        int n = deals.size();
        // Flat: per deal its amount, whole credit on each basis (what it gives the totals per draw), and only its entries of
        // the rows asked, as (slot in a resample's sums, credit) on each basis.
        double[] amount = new double[n];
        boolean[] newCustomer = new boolean[n];
        double[] pipelineCredit = new double[n];
        double[] wonCredit = new double[n];
        int[] pipelineFrom = new int[n + 1];
        int[] wonFrom = new int[n + 1];
        Entries pipeline = new Entries();
        Entries won = new Entries();
        for (int o = 0; o < n; o++) {
            Deal d = deals.get(o);
            amount[o] = d.amount();
            newCustomer[o] = d.newCustomer();
            pipelineCredit[o] = sum(d.pipelineCredits());
            wonCredit[o] = sum(d.wonCredits());
            pipeline.add(d.pipelineKeys(), d.pipelineCredits(), rowOf);
            won.add(d.wonKeys(), d.wonCredits(), rowOf);
            pipelineFrom[o + 1] = pipeline.size;
            wonFrom[o + 1] = won.size;
        }
        // Resamples go in blocks of BLOCK: each deal's draw counts in the block side by side, so the deals' entries are read
        // once per block (not once per resample) and each entry adds to BLOCK neighbouring sums (cache-friendly, and the
        // JIT vectorizes it).
        int slots = (rows.length + 1) * SUMS;
        double[] acc = new double[slots * BLOCK];
        double[] counts = new double[n * BLOCK];
        int[] drawn = new int[n];
        int t = totals * SUMS * BLOCK;
        SplittableRandom random = new SplittableRandom(seed);
        for (int start = 0; start < resamples; start += BLOCK) {
            int width = Math.min(BLOCK, resamples - start);
            Arrays.fill(acc, 0);
            Arrays.fill(counts, 0);
            for (int b = 0; b < width; b++) {
                Arrays.fill(drawn, 0);
                for (int i = 0; i < n; i++) {
                    drawn[random.nextInt(n)]++;
                }
                for (int o = 0; o < n; o++) {
                    counts[o * BLOCK + b] = drawn[o];
                }
            }
            for (int o = 0; o < n; o++) {
                int base = o * BLOCK;
                double a = amount[o];
                for (int e = pipelineFrom[o]; e < pipelineFrom[o + 1]; e++) {
                    double c = pipeline.credits[e];
                    double ca = c * a;
                    int at = pipeline.slots[e] * BLOCK;
                    for (int b = 0; b < BLOCK; b++) {
                        double w = counts[base + b];
                        acc[at + b] += w * c;
                        acc[at + BLOCK + b] += w * ca;
                    }
                }
                for (int e = wonFrom[o]; e < wonFrom[o + 1]; e++) {
                    double c = won.credits[e];
                    double ca = c * a;
                    double cn = newCustomer[o] ? c : 0;
                    int at = won.slots[e] * BLOCK;
                    for (int b = 0; b < BLOCK; b++) {
                        double w = counts[base + b];
                        acc[at + 2 * BLOCK + b] += w * c;
                        acc[at + 3 * BLOCK + b] += w * ca;
                        acc[at + 4 * BLOCK + b] += w * cn;
                    }
                }
                double p = pipelineCredit[o];
                double pa = p * a;
                double wc = wonCredit[o];
                double wa = wc * a;
                double wn = newCustomer[o] ? wc : 0;
                for (int b = 0; b < BLOCK; b++) {
                    double w = counts[base + b];
                    acc[t + b] += w * p;
                    acc[t + BLOCK + b] += w * pa;
                    acc[t + 2 * BLOCK + b] += w * wc;
                    acc[t + 3 * BLOCK + b] += w * wa;
                    acc[t + 4 * BLOCK + b] += w * wn;
                }
            }
            for (int r = 0; r <= rows.length; r++) {
                for (int k = 0; k < SUMS; k++) {
                    System.arraycopy(acc, (r * SUMS + k) * BLOCK, sums[r][k], start, width);
                }
            }
        }
        RowInterval[] out = new RowInterval[rows.length + 1];
        for (int r = 0; r <= rows.length; r++) {
            out[r] = figures(sums[r], basis, r == totals ? totalSpend : rowSpend[r], level);
        }
        return List.of(out);
    }

    /** Deals' credits of the rows asked, flat: each entry's slot (its row's first sum in a resample's sums) and credit. */
    private static final class Entries {
        int[] slots = new int[1024];
        double[] credits = new double[1024];
        int size;

        void add(int[] keys, double[] values, int[] rowOf) {
            for (int i = 0; i < keys.length; i++) {
                int row = rowOf[keys[i]];
                if (row < 0) {
                    continue;
                }
                if (size == slots.length) {
                    slots = Arrays.copyOf(slots, size * 2);
                    credits = Arrays.copyOf(credits, size * 2);
                }
                slots[size] = row * SUMS;
                credits[size++] = values[i];
            }
        }
    }

    private static double sum(double[] values) {
        double total = 0;
        for (double v : values) {
            total += v;
        }
        return total;
    }

    static RowInterval figures(double[][] sums, Basis basis, double spend, double level) {
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
