package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.DataDrivenCredits;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.report.ReportViews.RowInterval;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefitIntervalsTest {

    private static final List<String> CHANNELS = List.of("direct", "email", "events", "paid_search", "social");
    private static final int UNITS = 40;

    /** A random population of journeys over 40 accounts, converting ones first; rows: the touches' channels (row = channel). */
    private record Generated(List<int[]> paths, List<Boolean> converting, int[] unitOf, double[] amount) {
    }

    private static Generated generate(long seed) {
        Random random = new Random(seed);
        List<int[]> paths = new ArrayList<>();
        List<Boolean> converting = new ArrayList<>();
        List<Integer> units = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            int count = pass == 0 ? 60 : 90;
            for (int j = 0; j < count; j++) {
                int[] path = new int[1 + random.nextInt(4)];
                for (int i = 0; i < path.length; i++) {
                    // paid_search and events convert more often: they appear more in converting journeys
                    path[i] = pass == 0 && random.nextBoolean() ? 2 + random.nextInt(2) : random.nextInt(CHANNELS.size());
                }
                paths.add(path);
                converting.add(pass == 0);
                units.add(random.nextInt(UNITS));
            }
        }
        double[] amount = new double[60];
        for (int k = 0; k < amount.length; k++) {
            amount[k] = 1000 + random.nextInt(9000);
        }
        return new Generated(paths, converting, units.stream().mapToInt(Integer::intValue).toArray(), amount);
    }

    private static PathPopulation population(Generated g, int[] copies) {
        PathPopulation.Builder b = PathPopulation.builder(CHANNELS);
        for (int j = 0; j < g.paths().size(); j++) {
            for (int c = 0; c < (copies == null ? 1 : copies[j]); c++) {
                b.add(g.converting().get(j), g.paths().get(j), 0, g.paths().get(j).length);
            }
        }
        return b.build();
    }

    /**
     * One resample's bounds (a single resample: lower = upper = its figure) equal the model fitted, unweighted, to the
     * population with each journey repeated as often as its account was drawn (the same draws, replayed here): the weighted
     * refit over distinct paths and the per-channel fractions are the plain model on the resampled journeys.
     */
    @Test
    void aResampleIsThePlainModelOnTheResampledJourneys() {
        for (ModelName model : List.of(ModelName.MARKOV, ModelName.SHAPLEY)) {
            for (long seed = 1; seed <= 5; seed++) {
                Generated g = generate(seed);
                PathPopulation paths = population(g, null);
                int[] touchRow = new int[paths.touchCount()];
                int at = 0;
                for (int j = 0; j < paths.convertingCount(); j++) {
                    for (int channel : g.paths().get(j)) {
                        touchRow[at++] = channel == 4 ? -1 : channel; // social: a group not asked
                    }
                }
                touchRow = java.util.Arrays.copyOf(touchRow, at);
                boolean[] none = new boolean[60];
                RefitIntervals.Side side = new RefitIntervals.Side(paths, g.unitOf(), g.amount(), none, touchRow);
                List<RowInterval> out = RefitIntervals.of(model, 1, side, side, UNITS, 4, new double[4], 0, Basis.PIPELINE, 0.9, 1,
                        seed);

                // The same draws, replayed; the journeys repeated; the model fitted as the reports fit it.
                SplittableRandom random = new SplittableRandom(seed);
                int[] drawn = new int[UNITS];
                for (int i = 0; i < UNITS; i++) {
                    drawn[random.nextInt(UNITS)]++;
                }
                int[] copies = new int[g.paths().size()];
                for (int j = 0; j < copies.length; j++) {
                    copies[j] = drawn[g.unitOf()[j]];
                }
                PathPopulation resampled = population(g, copies);
                DataDrivenCredits credits = model == ModelName.MARKOV ? new MarkovChainModel(1).fit(resampled).credits()
                        : new ShapleyModel().fit(resampled);
                double[] credit = new double[5];
                double[] amount = new double[5];
                int journey = 0;
                for (int j = 0; j < 60; j++) {
                    for (int c = 0; c < copies[j]; c++) {
                        double[] shares = credits.credit(journey++);
                        for (int i = 0; i < shares.length; i++) {
                            int row = g.paths().get(j)[i];
                            credit[row] += shares[i];
                            amount[row] += shares[i] * g.amount()[j];
                        }
                    }
                }
                double totalCredit = 0;
                double totalAmount = 0;
                for (int row = 0; row < 5; row++) {
                    totalCredit += credit[row];
                    totalAmount += amount[row];
                    if (row < 4) {
                        assertEquals(credit[row], out.get(row).credit().lower(), 1e-9, model + " seed " + seed + " row " + row);
                        assertEquals(amount[row], out.get(row).amount().upper(), 1e-6, model + " seed " + seed + " row " + row);
                        assertEquals(amount[row], out.get(row).revenue().lower(), 1e-6, "the same side on the revenue basis");
                    }
                }
                assertEquals(totalCredit, out.get(4).credit().lower(), 1e-9, model + " totals");
                assertEquals(totalAmount, out.get(4).amount().lower(), 1e-6, model + " totals");
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameBoundsAndAnotherOtherBounds() {
        Generated g = generate(9);
        PathPopulation paths = population(g, null);
        int[] touchRow = new int[paths.touchCount()];
        int at = 0;
        for (int j = 0; j < paths.convertingCount(); j++) {
            for (int channel : g.paths().get(j)) {
                touchRow[at++] = channel;
            }
        }
        RefitIntervals.Side side = new RefitIntervals.Side(paths, g.unitOf(), g.amount(), new boolean[60],
                java.util.Arrays.copyOf(touchRow, at));
        List<RowInterval> a = RefitIntervals.of(ModelName.SHAPLEY, 1, side, side, UNITS, 5, new double[5], 0, Basis.REVENUE, 0.9,
                200, 7);
        List<RowInterval> b = RefitIntervals.of(ModelName.SHAPLEY, 1, side, side, UNITS, 5, new double[5], 0, Basis.REVENUE, 0.9,
                200, 7);
        List<RowInterval> c = RefitIntervals.of(ModelName.SHAPLEY, 1, side, side, UNITS, 5, new double[5], 0, Basis.REVENUE, 0.9,
                200, 8);
        assertEquals(a, b);
        assertNotEquals(a, c);
        for (RowInterval r : a) {
            assertTrue(r.credit().lower() <= r.credit().upper());
        }
    }
}
