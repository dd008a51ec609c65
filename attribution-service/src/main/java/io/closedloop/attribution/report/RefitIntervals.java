package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.report.ReportViews.RowInterval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sampling intervals of a data-driven model's performance figures (MARKOV, SHAPLEY; issue 22): a percentile bootstrap as
 * BootstrapIntervals', but a resample refits the model, since a journey's credit depends on the whole population
 * (converting and not). The unit drawn is an account: each resample draws as many accounts as the two populations
 * (pipeline, revenue) have, with replacement, and every journey of an account drawn k times counts k times — in the model's
 * fit and in the figures. Journeys of one account are not independent (one buying committee), so they are drawn together.
 *
 * <p>A refit is cheap because the models read counts: each account's transitions (Markov) or channel sets (Shapley) are
 * counted once (MarkovChainModel.refits, ShapleyModel.refits), so a refit sums the drawn accounts' few counts, times their
 * draws, and solves the model on them without walking a journey; and a journey's credit of a group is its channels'
 * weights (removal effects shared within the journey, or the Shapley shares of its channel set) times the fixed fraction
 * of each channel's touches in that group.
 */
public final class RefitIntervals {

    /**
     * One basis's population: its journeys (converting first, one per deal), each journey's unit (account), and per
     * converting journey its deal's amount and whether it won a new customer, and per touch of the converting journeys (in
     * population order) the row of its group (-1: a group not asked; it still counts for the totals).
     */
    public record Side(PathPopulation paths, int[] unitOf, double[] amount, boolean[] newCustomer, int[] touchRow) {
    }

    private RefitIntervals() {
    }

    /** As BootstrapIntervals.of: the rows' intervals, then the totals'. */
    public static List<RowInterval> of(ModelName model, int markovOrder, Side pipeline, Side won, int units, int rows,
                                       double[] rowSpend, double totalSpend, Basis basis, double level, int resamples, long seed) {
        Refit[] sides = {new Refit(pipeline, model, markovOrder, units, rows), new Refit(won, model, markovOrder, units, rows)};
        double[][][] sums = new double[rows + 1][5][resamples];
        int[] drawn = new int[units];
        // One resample's sums, row by row (5 figures each), in one block: summed in place, then spread over sums.
        double[] block = new double[(rows + 1) * 5];
        SplittableRandom random = new SplittableRandom(seed);
        for (int s = 0; s < resamples; s++) {
            Arrays.fill(drawn, 0);
            for (int i = 0; i < units; i++) {
                drawn[random.nextInt(units)]++;
            }
            Arrays.fill(block, 0);
            sides[0].add(drawn, block, 0, false);
            sides[1].add(drawn, block, 2, true);
            for (int r = 0; r <= rows; r++) {
                for (int k = 0; k < 5; k++) {
                    sums[r][k][s] = block[r * 5 + k];
                }
            }
        }
        RowInterval[] out = new RowInterval[rows + 1];
        for (int r = 0; r <= rows; r++) {
            out[r] = BootstrapIntervals.figures(sums[r], basis, r == rows ? totalSpend : rowSpend[r], level);
        }
        return List.of(out);
    }

    /** One side prepared for refits: the model's counts per unit, and each converting journey's entries (channel, row, fraction). */
    private static final class Refit {
        private final Side side;
        private final int totals;
        private final MarkovChainModel.Refits markov;
        private final ShapleyModel.Refits shapley;
        // Per converting journey: entries from[j] .. from[j + 1] - 1, each a channel, a row and the share of the journey's
        // touches of that channel in that row; and how many distinct channels it has.
        private final int[] from;
        private final int[] channel;
        private final int[] row;
        private final double[] fraction;
        private final int[] distinctChannels;

        Refit(Side side, ModelName model, int markovOrder, int units, int rows) {
            this.side = side;
            this.totals = rows;
            PathPopulation paths = side.paths();
            markov = model == ModelName.MARKOV ? new MarkovChainModel(markovOrder).refits(paths, side.unitOf(), units) : null;
            shapley = model == ModelName.MARKOV ? null : new ShapleyModel().refits(paths, side.unitOf(), units);
            int[] channels = paths.touchChannels();
            int converting = paths.convertingCount();
            from = new int[converting + 1];
            distinctChannels = new int[converting];
            List<int[]> pairs = new ArrayList<>();
            List<Double> shares = new ArrayList<>();
            int[] touchesOf = new int[paths.channels().size()];
            int touch = 0;
            for (int j = 0; j < converting; j++) {
                int start = paths.offset(j);
                int end = start + paths.length(j);
                for (int i = start; i < end; i++) {
                    if (touchesOf[channels[i]]++ == 0) {
                        distinctChannels[j]++;
                    }
                }
                // (channel, row) -> touches, in first-seen order
                Map<Long, Integer> count = new LinkedHashMap<>();
                for (int i = start; i < end; i++) {
                    count.merge(((long) channels[i] << 32) | (side.touchRow()[touch++] & 0xFFFFFFFFL), 1, Integer::sum);
                }
                for (Map.Entry<Long, Integer> e : count.entrySet()) {
                    int c = (int) (e.getKey() >>> 32);
                    pairs.add(new int[]{c, (int) (long) e.getKey()});
                    shares.add((double) e.getValue() / touchesOf[c]);
                }
                for (int i = start; i < end; i++) {
                    touchesOf[channels[i]] = 0;
                }
                from[j + 1] = pairs.size();
            }
            channel = new int[pairs.size()];
            row = new int[pairs.size()];
            fraction = new double[pairs.size()];
            for (int e = 0; e < pairs.size(); e++) {
                channel[e] = pairs.get(e)[0];
                row[e] = pairs.get(e)[1];
                fraction[e] = shares.get(e);
            }
        }

        /**
         * Refits on the draws and adds the resample's credit and amount (and new-customer credit: {@code won}) to each row's
         * figures in {@code block} (row r's figure k at r * 5 + k), from figure {@code first}.
         */
        void add(int[] drawn, double[] block, int first, boolean won) {
            int converting = side.paths().convertingCount();
            double[] removal = markov == null ? null : markov.removalEffects(drawn);
            double[][] shares = shapley == null ? null : shapley.shares(drawn);
            for (int j = 0; j < converting; j++) {
                int w = drawn[side.unitOf()[j]];
                if (w == 0) {
                    continue;
                }
                double sum = 0;
                if (removal != null) {
                    for (int e = from[j]; e < from[j + 1]; e++) {
                        sum += removal[channel[e]] * fraction[e];
                    }
                }
                double amount = side.amount()[j];
                boolean newCustomer = won && side.newCustomer()[j];
                for (int e = from[j]; e < from[j + 1]; e++) {
                    if (row[e] >= 0) {
                        double weight = removal == null ? shares[j][channel[e]]
                                : sum > 0 ? removal[channel[e]] / sum : 1.0 / distinctChannels[j];
                        add(block, row[e] * 5, first, w * weight * fraction[e], amount, newCustomer);
                    }
                }
                // A journey's weights sum to 1 (shares normalized; removal effects over their sum), so the totals take w.
                add(block, totals * 5, first, w, amount, newCustomer);
            }
        }

        private static void add(double[] block, int row, int first, double credit, double amount, boolean newCustomer) {
            block[row + first] += credit;
            block[row + first + 1] += credit * amount;
            if (newCustomer) {
                block[row + 4] += credit;
            }
        }
    }
}
