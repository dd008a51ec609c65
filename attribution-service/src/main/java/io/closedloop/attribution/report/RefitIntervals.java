package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.report.ReportViews.RowInterval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Sampling intervals of a data-driven model's performance figures (MARKOV, SHAPLEY; issue 22): a percentile bootstrap as
 * BootstrapIntervals', but a resample refits the model, since a journey's credit depends on the whole population
 * (converting and not). The unit drawn is an account: each resample draws as many accounts as the two populations
 * (pipeline, revenue) have, with replacement, and every journey of an account drawn k times counts k times — in the model's
 * fit and in the figures. Journeys of one account are not independent (one buying committee), so they are drawn together.
 *
 * <p>A refit is a re-weighting because the models read counts: each account's transitions (Markov) or channel sets
 * (Shapley) are counted once (MarkovChainModel.refits, ShapleyModel.refits), so a refit sums the drawn accounts' few counts,
 * times their draws, and solves the model on them without walking a journey; and a journey's credit of a group is its
 * channels' weights (removal effects shared within the journey, or the Shapley shares of its channel set) times the fixed
 * fraction of each channel's touches in that group. Resamples are computed in blocks (up to 64): one pass over the accounts
 * adds each one's counts to every resample of the block at once, in loops over the block's resamples that the JIT compiles
 * to vector instructions; then each resample's model is solved and its figures summed per cell.
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
        int lanes = lanes(units, Math.max(sides[0].cells(), sides[1].cells()));
        double[][][] sums = new double[rows + 1][5][resamples];
        // A block of resamples' draws: unit u drawn draws[u][r] times in the block's resample r.
        int[][] draws = new int[units][lanes];
        // Each resample's sums, row by row (5 figures each): summed in place, then spread over sums.
        double[][] blocks = new double[lanes][(rows + 1) * 5];
        SplittableRandom random = new SplittableRandom(seed);
        for (int first = 0; first < resamples; first += lanes) {
            int count = Math.min(lanes, resamples - first);
            for (int[] drawn : draws) {
                Arrays.fill(drawn, 0);
            }
            int most = 0;
            for (int r = 0; r < count; r++) {
                for (int i = 0; i < units; i++) {
                    most = Math.max(most, ++draws[random.nextInt(units)][r]);
                }
            }
            for (double[] block : blocks) {
                Arrays.fill(block, 0);
            }
            sides[0].add(draws, count, most, blocks, 0, false);
            sides[1].add(draws, count, most, blocks, 2, true);
            for (int s = 0; s < count; s++) {
                for (int r = 0; r <= rows; r++) {
                    for (int k = 0; k < 5; k++) {
                        sums[r][k][first + s] = blocks[s][r * 5 + k];
                    }
                }
            }
        }
        RowInterval[] out = new RowInterval[rows + 1];
        for (int r = 0; r <= rows; r++) {
            out[r] = BootstrapIntervals.figures(sums[r], basis, r == rows ? totalSpend : rowSpend[r], level);
        }
        return List.of(out);
    }

    /** Resamples per block: up to 64, as many as keep a block's draws and cell sums within about 16 MB. */
    private static int lanes(int units, int cells) {
        long perLane = 4L * units + 24L * cells + 64;
        return (int) Math.max(1, Math.min(64, (16L << 20) / perLane));
    }

    /**
     * One side prepared for refits. A converting journey's credit of a row is its class's weight of a channel (the class: its
     * distinct channels, which the weights of a refit depend on) times the fixed fraction of that channel's touches in the
     * row; so a resample's figures are, per cell (class, channel, row), the drawn journeys' summed fractions (and fractions
     * times amount) times the cell's weight.
     */
    private static final class Refit {
        private final Side side;
        private final int totals;
        private final MarkovChainModel.Refits markov;
        private final ShapleyModel.Refits shapley;
        // Per converting journey: its cells' entries from[j] .. from[j + 1] - 1, each a cell and the journey's fraction of
        // its touches there (and that times its amount).
        private final int[] from;
        private final int[] cell;
        private final double[] fraction;
        private final double[] fractionAmount;
        // Per cell: its class, channel and row; the cells of class k: classStart[k] .. classStart[k + 1] - 1.
        private final int[] cellChannel;
        private final int[] cellRow;
        private final int[] classStart;
        // Per class: a journey of it (Shapley shares are looked up by the journey's set) and its distinct channels.
        private final int[] classJourney;
        private final int[][] classChannels;

        Refit(Side side, ModelName model, int markovOrder, int units, int rows) {
            this.side = side;
            this.totals = rows;
            PathPopulation paths = side.paths();
            markov = model == ModelName.MARKOV ? new MarkovChainModel(markovOrder).refits(paths, side.unitOf(), units) : null;
            shapley = model == ModelName.MARKOV ? null : new ShapleyModel().refits(paths, side.unitOf(), units);
            int[] channels = paths.touchChannels();
            int converting = paths.convertingCount();
            Map<List<Integer>, Integer> classes = new HashMap<>();
            List<int[]> classList = new ArrayList<>();
            List<Integer> classJourneys = new ArrayList<>();
            Map<List<Integer>, Integer> cells = new HashMap<>(); // (class, channel, row)
            List<int[]> cellList = new ArrayList<>();
            from = new int[converting + 1];
            List<Integer> cellOf = new ArrayList<>();
            List<Double> shares = new ArrayList<>();
            int[] touchesOf = new int[paths.channels().size()];
            int touch = 0;
            for (int j = 0; j < converting; j++) {
                int start = paths.offset(j);
                int end = start + paths.length(j);
                TreeSet<Integer> distinct = new TreeSet<>();
                for (int i = start; i < end; i++) {
                    touchesOf[channels[i]]++;
                    distinct.add(channels[i]);
                }
                int journey = j;
                int k = classes.computeIfAbsent(List.copyOf(distinct), x -> {
                    classList.add(x.stream().mapToInt(Integer::intValue).toArray());
                    classJourneys.add(journey);
                    return classList.size() - 1;
                });
                // (channel, row) -> touches, in first-seen order
                Map<Long, Integer> count = new LinkedHashMap<>();
                for (int i = start; i < end; i++) {
                    count.merge(((long) channels[i] << 32) | (side.touchRow()[touch++] & 0xFFFFFFFFL), 1, Integer::sum);
                }
                for (Map.Entry<Long, Integer> e : count.entrySet()) {
                    int c = (int) (e.getKey() >>> 32);
                    int r = (int) (long) e.getKey();
                    if (r < 0) {
                        continue; // a group not asked: only the totals take it, and a journey's weights sum to 1
                    }
                    cellOf.add(cells.computeIfAbsent(List.of(k, c, r), x -> {
                        cellList.add(new int[]{k, c, r});
                        return cellList.size() - 1;
                    }));
                    shares.add((double) e.getValue() / touchesOf[c]);
                }
                for (int i = start; i < end; i++) {
                    touchesOf[channels[i]] = 0;
                }
                from[j + 1] = cellOf.size();
            }
            // Cells renumbered class by class, so that a class's weights are computed once for its cells.
            Integer[] order = new Integer[cellList.size()];
            for (int c = 0; c < order.length; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(cellList.get(a)[0], cellList.get(b)[0]));
            int[] number = new int[order.length];
            cellChannel = new int[order.length];
            cellRow = new int[order.length];
            classStart = new int[classList.size() + 1];
            for (int c = 0; c < order.length; c++) {
                int[] of = cellList.get(order[c]);
                number[order[c]] = c;
                cellChannel[c] = of[1];
                cellRow[c] = of[2];
                classStart[of[0] + 1]++;
            }
            for (int k = 0; k < classList.size(); k++) {
                classStart[k + 1] += classStart[k];
            }
            classJourney = classJourneys.stream().mapToInt(Integer::intValue).toArray();
            classChannels = classList.toArray(new int[0][]);
            cell = new int[cellOf.size()];
            fraction = new double[cellOf.size()];
            fractionAmount = new double[cellOf.size()];
            for (int j = 0; j < converting; j++) {
                for (int e = from[j]; e < from[j + 1]; e++) {
                    cell[e] = number[cellOf.get(e)];
                    fraction[e] = shares.get(e);
                    fractionAmount[e] = fraction[e] * side.amount()[j];
                }
            }
        }

        int cells() {
            return cellRow.length;
        }

        /**
         * Refits on a block of draws (see {@link #of}) and adds each of its {@code count} resamples' credit and amount (and
         * new-customer credit: {@code won}) to its row's figures in {@code blocks[r]} (row r's figure k at r * 5 + k), from
         * figure {@code first}. The cells' sums of all resamples are taken in one pass over the journeys.
         */
        void add(int[][] draws, int count, int most, double[][] blocks, int first, boolean won) {
            int cells = cellRow.length;
            int lanes = draws.length == 0 ? 0 : draws[0].length;
            double[][] sumFraction = new double[cells][lanes];
            double[][] sumAmount = new double[cells][lanes];
            double[][] sumNew = won ? new double[cells][lanes] : null;
            double[] totalJourneys = new double[lanes];
            double[] totalAmount = new double[lanes];
            double[] totalNew = new double[lanes];
            double[] w = new double[lanes];
            int[] unitOf = side.unitOf();
            for (int j = 0; j < side.paths().convertingCount(); j++) {
                int[] drawn = draws[unitOf[j]];
                for (int r = 0; r < lanes; r++) {
                    w[r] = drawn[r];
                }
                boolean newCustomer = won && side.newCustomer()[j];
                for (int e = from[j]; e < from[j + 1]; e++) {
                    add(sumFraction[cell[e]], w, fraction[e]);
                    add(sumAmount[cell[e]], w, fractionAmount[e]);
                    if (newCustomer) {
                        add(sumNew[cell[e]], w, fraction[e]);
                    }
                }
                add(totalJourneys, w, 1);
                add(totalAmount, w, side.amount()[j]);
                if (newCustomer) {
                    add(totalNew, w, 1);
                }
            }
            double[][] removals = markov == null ? null : markov.removalEffects(draws, count, most);
            ShapleyModel.Refits.Drawn drawn = shapley == null ? null : shapley.draw(draws, most);
            for (int r = 0; r < count; r++) {
                double[] block = blocks[r];
                double[] removal = removals == null ? null : removals[r];
                double[][] shares = drawn == null ? null : drawn.shares(r);
                for (int k = 0; k < classChannels.length; k++) {
                    double sum = 0;
                    if (removal != null) {
                        for (int c : classChannels[k]) {
                            sum += removal[c];
                        }
                    }
                    double[] share = shares == null ? null : shares[shapley.setOf(classJourney[k])];
                    for (int c = classStart[k]; c < classStart[k + 1]; c++) {
                        double weight = removal != null ? (sum > 0 ? removal[cellChannel[c]] / sum : 1.0 / classChannels[k].length)
                                : share == null ? 0 : share[cellChannel[c]];
                        int row = cellRow[c] * 5;
                        block[row + first] += weight * sumFraction[c][r];
                        block[row + first + 1] += weight * sumAmount[c][r];
                        if (won) {
                            block[row + 4] += weight * sumNew[c][r];
                        }
                    }
                }
                // A journey's weights sum to 1 (shares normalized; removal effects over their sum): the totals take its draws.
                block[totals * 5 + first] += totalJourneys[r];
                block[totals * 5 + first + 1] += totalAmount[r];
                if (won) {
                    block[totals * 5 + 4] += totalNew[r];
                }
            }
        }

        /** {@code sum[r] += w[r] * factor} for every lane r: a loop the JIT compiles to vector instructions. */
        private static void add(double[] sum, double[] w, double factor) {
            for (int r = 0; r < sum.length; r++) {
                sum[r] += w[r] * factor;
            }
        }
    }
}
