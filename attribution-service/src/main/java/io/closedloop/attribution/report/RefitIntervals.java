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
        int lanes = lanes(units, Math.max(sides[0].bytesPerLane(), sides[1].bytesPerLane()));
        double[][][] sums = new double[rows + 1][5][resamples];
        // A block of resamples' draws: unit u drawn draws[u][r] times in the block's resample r.
        int[][] draws = new int[units][lanes];
        int[] drawn = new int[units];
        // A block's figures: row r's figure k of the block's resample s at figures[r * 5 + k][s].
        double[][] figures = new double[(rows + 1) * 5][lanes];
        SplittableRandom random = new SplittableRandom(seed);
        for (int first = 0; first < resamples; first += lanes) {
            int count = Math.min(lanes, resamples - first);
            int most = 0;
            for (int s = 0; s < lanes; s++) {
                // Drawn into one small array first: the draws' random writes stay in cache.
                Arrays.fill(drawn, 0);
                for (int i = 0; s < count && i < units; i++) {
                    drawn[random.nextInt(units)]++;
                }
                for (int u = 0; u < units; u++) {
                    draws[u][s] = drawn[u];
                    most = Math.max(most, drawn[u]);
                }
            }
            for (double[] figure : figures) {
                Arrays.fill(figure, 0);
            }
            sides[0].add(draws, lanes, count, most, figures, 0, false);
            sides[1].add(draws, lanes, count, most, figures, 2, true);
            for (int r = 0; r <= rows; r++) {
                for (int k = 0; k < 5; k++) {
                    System.arraycopy(figures[r * 5 + k], 0, sums[r][k], first, count);
                }
            }
        }
        RowInterval[] out = new RowInterval[rows + 1];
        for (int r = 0; r <= rows; r++) {
            out[r] = BootstrapIntervals.figures(sums[r], basis, r == rows ? totalSpend : rowSpend[r], level);
        }
        return List.of(out);
    }

    /** Resamples per block: up to 64, as many as keep a block's draws and one side's sums within about 16 MB. */
    private static int lanes(int units, long sideBytesPerLane) {
        long perLane = 4L * units + sideBytesPerLane + 64;
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
            int[] touchRow = side.touchRow();
            int converting = paths.convertingCount();
            Map<List<Integer>, Integer> classes = new HashMap<>();
            List<int[]> classList = new ArrayList<>();
            List<Integer> classJourneys = new ArrayList<>();
            // Cells by (class, channel, row) numbered in order of first entry: their class, channel and row.
            Map<Long, Integer> cells = new HashMap<>();
            int[][] cellOf3 = new int[3][16];
            from = new int[converting + 1];
            int[] entryCell = new int[16];
            double[] entryFraction = new double[16];
            int entries = 0;
            long[] keys = new long[16];
            int[] touchesOf = new int[paths.channels().size()];
            long rowsPlus = rows + 1L;
            int touch = 0;
            for (int j = 0; j < converting; j++) {
                int start = paths.offset(j);
                int length = paths.length(j);
                if (keys.length < length) {
                    keys = new long[length];
                }
                // The journey's touches as (channel, row), sorted: runs of one channel's touches in one row.
                for (int i = 0; i < length; i++) {
                    int c = channels[start + i];
                    touchesOf[c]++;
                    keys[i] = ((long) c << 32) | (touchRow[touch++] + 1L);
                }
                Arrays.sort(keys, 0, length);
                List<Integer> distinct = new ArrayList<>();
                for (int i = 0; i < length; i++) {
                    int c = (int) (keys[i] >>> 32);
                    if (distinct.isEmpty() || distinct.get(distinct.size() - 1) != c) {
                        distinct.add(c);
                    }
                }
                int journey = j;
                int k = classes.computeIfAbsent(distinct, x -> {
                    classList.add(x.stream().mapToInt(Integer::intValue).toArray());
                    classJourneys.add(journey);
                    return classList.size() - 1;
                });
                for (int i = 0; i < length; ) {
                    int run = i;
                    while (run < length && keys[run] == keys[i]) {
                        run++;
                    }
                    int c = (int) (keys[i] >>> 32);
                    int r = (int) (keys[i] & 0xFFFFFFFFL) - 1;
                    double share = (double) (run - i) / touchesOf[c];
                    i = run;
                    if (r < 0) {
                        continue; // a group not asked: only the totals take it, and a journey's weights sum to 1
                    }
                    int number = cells.size();
                    int found = cells.computeIfAbsent((k * (long) touchesOf.length + c) * rowsPlus + r, x -> number);
                    if (found == number) {
                        if (number == cellOf3[0].length) {
                            for (int f = 0; f < 3; f++) {
                                cellOf3[f] = Arrays.copyOf(cellOf3[f], number * 2);
                            }
                        }
                        cellOf3[0][number] = k;
                        cellOf3[1][number] = c;
                        cellOf3[2][number] = r;
                    }
                    if (entries == entryCell.length) {
                        entryCell = Arrays.copyOf(entryCell, entries * 2);
                        entryFraction = Arrays.copyOf(entryFraction, entries * 2);
                    }
                    entryCell[entries] = found;
                    entryFraction[entries++] = share;
                }
                for (int i = start; i < start + length; i++) {
                    touchesOf[channels[i]] = 0;
                }
                from[j + 1] = entries;
            }
            // Cells renumbered class by class, so that a class's weights are computed for its cells together.
            int cellCount = cells.size();
            classStart = new int[classList.size() + 1];
            for (int c = 0; c < cellCount; c++) {
                classStart[cellOf3[0][c] + 1]++;
            }
            for (int k = 0; k < classList.size(); k++) {
                classStart[k + 1] += classStart[k];
            }
            int[] next = Arrays.copyOf(classStart, classList.size());
            int[] number = new int[cellCount];
            cellChannel = new int[cellCount];
            cellRow = new int[cellCount];
            for (int c = 0; c < cellCount; c++) {
                int at = next[cellOf3[0][c]]++;
                number[c] = at;
                cellChannel[at] = cellOf3[1][c];
                cellRow[at] = cellOf3[2][c];
            }
            classJourney = classJourneys.stream().mapToInt(Integer::intValue).toArray();
            classChannels = classList.toArray(new int[0][]);
            cell = new int[entries];
            fraction = Arrays.copyOf(entryFraction, entries);
            fractionAmount = new double[entries];
            for (int j = 0; j < converting; j++) {
                for (int e = from[j]; e < from[j + 1]; e++) {
                    cell[e] = number[entryCell[e]];
                    fractionAmount[e] = fraction[e] * side.amount()[j];
                }
            }
        }

        /** What a block holds per resample for this side: the cells' three sums and weight, and the model's counts. */
        long bytesPerLane() {
            return 32L * cellRow.length + 4L * (markov != null ? markov.slots() : shapley.slots());
        }

        /**
         * Refits on a block of draws (see {@link #of}) and adds each of its {@code count} resamples' credit and amount (and
         * new-customer credit: {@code won}) to its row's figures in {@code figures} (row r's figure k of resample s at
         * {@code figures[r * 5 + k][s]}), from figure {@code first}. The cells' sums of all resamples are taken in one pass
         * over the journeys, then weighted by each resample's weights.
         */
        void add(int[][] draws, int lanes, int count, int most, double[][] figures, int first, boolean won) {
            int cells = cellRow.length;
            double[][] sumFraction = new double[cells][lanes];
            double[][] sumAmount = new double[cells][lanes];
            double[][] sumNew = won ? new double[cells][lanes] : null;
            double[] w = new double[lanes];
            int[] unitOf = side.unitOf();
            int totalsAt = totals * 5;
            for (int j = 0; j < side.paths().convertingCount(); j++) {
                int[] drawn = draws[unitOf[j]];
                for (int s = 0; s < lanes; s++) {
                    w[s] = drawn[s];
                }
                boolean newCustomer = won && side.newCustomer()[j];
                for (int e = from[j]; e < from[j + 1]; e++) {
                    add(sumFraction[cell[e]], w, fraction[e]);
                    add(sumAmount[cell[e]], w, fractionAmount[e]);
                    if (newCustomer) {
                        add(sumNew[cell[e]], w, fraction[e]);
                    }
                }
                // A journey's weights sum to 1 (shares normalized; removal effects over their sum): the totals take its draws.
                add(figures[totalsAt + first], w, 1);
                add(figures[totalsAt + first + 1], w, side.amount()[j]);
                if (newCustomer) {
                    add(figures[totalsAt + 4], w, 1);
                }
            }
            double[][] weight = weights(draws, lanes, count, most);
            for (int c = 0; c < cells; c++) {
                int at = cellRow[c] * 5;
                addProduct(figures[at + first], weight[c], sumFraction[c]);
                addProduct(figures[at + first + 1], weight[c], sumAmount[c]);
                if (won) {
                    addProduct(figures[at + 4], weight[c], sumNew[c]);
                }
            }
        }

        /** Each cell's weight in each resample of the block: its channel's within its class, from the model refitted. */
        private double[][] weights(int[][] draws, int lanes, int count, int most) {
            double[][] weight = new double[cellRow.length][lanes];
            double[][] removals = markov == null ? null : markov.removalEffects(draws, lanes, count, most);
            ShapleyModel.Refits.Drawn drawn = shapley == null ? null : shapley.draw(draws, lanes, most);
            for (int s = 0; s < count; s++) {
                double[] removal = removals == null ? null : removals[s];
                double[][] shares = drawn == null ? null : drawn.shares(s);
                for (int k = 0; k < classChannels.length; k++) {
                    double sum = 0;
                    if (removal != null) {
                        for (int c : classChannels[k]) {
                            sum += removal[c];
                        }
                    }
                    double[] share = shares == null ? null : shares[shapley.setOf(classJourney[k])];
                    for (int c = classStart[k]; c < classStart[k + 1]; c++) {
                        weight[c][s] = removal != null ? (sum > 0 ? removal[cellChannel[c]] / sum : 1.0 / classChannels[k].length)
                                : share == null ? 0 : share[cellChannel[c]];
                    }
                }
            }
            return weight;
        }

        /** {@code sum[s] += w[s] * x[s]} for every lane s. */
        private static void addProduct(double[] sum, double[] w, double[] x) {
            for (int s = 0; s < sum.length; s++) {
                sum[s] += w[s] * x[s];
            }
        }

        /** {@code sum[s] += w[s] * factor} for every lane s: a loop the JIT compiles to vector instructions. */
        private static void add(double[] sum, double[] w, double factor) {
            for (int s = 0; s < sum.length; s++) {
                sum[s] += w[s] * factor;
            }
        }
    }
}
