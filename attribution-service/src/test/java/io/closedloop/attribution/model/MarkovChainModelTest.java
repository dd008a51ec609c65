package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.assertCredits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MarkovChainModelTest {

    /**
     * Order 1, with a loop (A → B → A):
     * <pre>
     *   j1: A        → conversion
     *   j2: A B A    → conversion
     *   j3: B        → null
     *   j4: A B      → null
     * start → A: 3, start → B: 1
     * A → conversion: 2 (j1, j2), A → B: 2 (j2, j4)          (out 4)
     * B → A: 1 (j2), B → null: 2 (j3, j4)                    (out 3)
     * x_A = (2 + 2 x_B) / 4,  x_B = x_A / 3
     *   → x_A = 1/2 + x_A / 6 → x_A = 0.6, x_B = 0.2
     * P = (3 · 0.6 + 1 · 0.2) / 4 = 0.5
     * remove A: x_A = 0 → x_B = 0 → P₋A = 0      → RE_A = 1
     * remove B: x_B = 0 → x_A = 0.5, P₋B = 3 · 0.5 / 4 = 0.375 → RE_B = 1 − 0.75 = 0.25
     * credits: j1 = [1]; j2: A gets 1 / 1.25 = 0.8 over two touches, B gets 0.2 → [0.4, 0.2, 0.4]
     * </pre>
     */
    @Test
    void orderOneSolvesHandComputedChainWithLoop() {
        PathPopulation population = PathPopulation.builder()
                .add(true, "A").add(true, "A", "B", "A").add(false, "B").add(false, "A", "B").build();
        MarkovChainModel.Result result = new MarkovChainModel(1).fit(population);
        assertEquals(0.5, result.conversionProbability(), 1e-15);
        assertEquals(1.0, result.removalEffects().get("A"), 1e-15);
        assertEquals(0.25, result.removalEffects().get("B"), 1e-15);
        assertCredits(new double[] {1}, result.credits().credit(0));
        assertCredits(new double[] {0.4, 0.2, 0.4}, result.credits().credit(1));
        assertCredits(new double[] {0}, result.credits().credit(2));
        assertCredits(new double[] {0, 0}, result.credits().credit(3));
        assertEquals(1.8, result.credits().channelTotals().get("A"), 1e-12);
        assertEquals(0.2, result.credits().channelTotals().get("B"), 1e-12);
        assertEquals(2, result.credits().total(), 1e-12);
        assertEquals(3, result.stateCount()); // start, A, B
    }

    /**
     * Order 2, with a cycle between (A,B) and (B,A):
     * <pre>
     *   j1: A B A B → conversion   states (A) (A,B) (B,A) (A,B)
     *   j2: A B     → null         states (A) (A,B)
     *   j3: B       → conversion   state  (B)
     * start → (A): 2, start → (B): 1
     * (A) → (A,B): 2
     * (A,B) → (B,A): 1, → conversion: 1, → null: 1           (out 3)
     * (B,A) → (A,B): 1
     * (B) → conversion: 1
     * x_AB = (1 + x_BA) / 3, x_BA = x_AB → x_AB = 1/2 = x_A; x_B = 1
     * P = (2 · 1/2 + 1) / 3 = 2/3
     * remove A: (A), (A,B), (B,A) → 0; P₋A = 1/3 → RE_A = 1/2
     * remove B: (B), (A,B), (B,A) → 0, so x_A = 0; P₋B = 0 → RE_B = 1
     * credits: j1: A 1/3, B 2/3, each over two touches → [1/6, 1/3, 1/6, 1/3]; j3: [1]
     * </pre>
     */
    @Test
    void orderTwoSolvesHandComputedChainWithCycle() {
        PathPopulation population = PathPopulation.builder()
                .add(true, "A", "B", "A", "B").add(false, "A", "B").add(true, "B").build();
        MarkovChainModel.Result result = new MarkovChainModel(2).fit(population);
        assertEquals(2.0 / 3, result.conversionProbability(), 1e-15);
        assertEquals(0.5, result.removalEffects().get("A"), 1e-14);
        assertEquals(1.0, result.removalEffects().get("B"), 1e-14);
        assertCredits(new double[] {1.0 / 6, 1.0 / 3, 1.0 / 6, 1.0 / 3}, result.credits().credit(0));
        assertCredits(new double[] {1}, result.credits().credit(2));
        assertEquals(2, result.credits().total(), 1e-12);
        assertEquals(5, result.stateCount()); // start, (A), (B), (A,B), (B,A)
    }

    @Test
    void consecutiveRepeatsAreOneVisitButEveryTouchShares() {
        PathPopulation repeated = PathPopulation.builder()
                .add(true, "A", "A", "B").add(false, "B", "B").add(false, "A").build();
        PathPopulation collapsed = PathPopulation.builder()
                .add(true, "A", "B").add(false, "B").add(false, "A").build();
        for (int order = 1; order <= 4; order++) {
            MarkovChainModel.Result r = new MarkovChainModel(order).fit(repeated);
            MarkovChainModel.Result c = new MarkovChainModel(order).fit(collapsed);
            assertEquals(c.removalEffects(), r.removalEffects());
            assertEquals(c.conversionProbability(), r.conversionProbability());
            if (order == 1) {
                // start → A 2, start → B 1; A → B 1, A → null 1; B → conversion 1, B → null 1.
                // x_B = 1/2, x_A = 1/4, P = (2/4 + 1/2) / 3 = 1/3; P₋A = (1/2) / 3 → RE_A = 1/2;
                // P₋B = 0 → RE_B = 1. A gets 1/3 over its two touches, B 2/3.
                assertCredits(new double[] {1.0 / 6, 1.0 / 6, 2.0 / 3}, r.credits().credit(0));
            } else {
                // (B) alone never converts and (A,B) always does: both REs are 1, so 1/2 each.
                assertCredits(new double[] {0.25, 0.25, 0.5}, r.credits().credit(0));
            }
        }
    }

    @Test
    void noConversionGivesZeroRemovalEffectsAndNoCredit() {
        PathPopulation population = PathPopulation.builder().add(false, "A", "B").add(false, "B").build();
        MarkovChainModel.Result result = new MarkovChainModel(1).fit(population);
        assertEquals(0, result.conversionProbability());
        assertEquals(Map.of("A", 0.0, "B", 0.0), result.removalEffects());
        assertEquals(0, result.credits().total());
    }

    @Test
    void singleChannelPathGetsAllCredit() {
        PathPopulation population = PathPopulation.builder().add(true, "direct", "direct").add(false, "email").build();
        MarkovChainModel.Result result = new MarkovChainModel(3).fit(population);
        assertEquals(0.5, result.conversionProbability(), 1e-15);
        assertEquals(1.0, result.removalEffects().get("direct"), 1e-15);
        assertEquals(0.0, result.removalEffects().get("email"), 1e-15);
        assertCredits(new double[] {0.5, 0.5}, result.credits().credit(0));
    }

    @Test
    void longAlternatingLoopsStillConvergeToTheConversionRate() {
        // With empirical transition probabilities the absorption probability from start is the
        // share of converting journeys, whatever the loops: here 1 in 4.
        PathPopulation.Builder builder = PathPopulation.builder();
        for (int j = 0; j < 40; j++) {
            List<String> path = new ArrayList<>();
            for (int i = 0; i < 500 + 37 * j; i++) {
                path.add(i % 2 == 0 ? "A" : "B");
            }
            builder.add(j % 4 == 0, path);
        }
        PathPopulation population = builder.build();
        for (int order = 1; order <= 4; order++) {
            MarkovChainModel.Result result = new MarkovChainModel(order).fit(population);
            assertEquals(0.25, result.conversionProbability(), 1e-13, "order " + order);
            assertEquals(10, result.credits().total(), 1e-12);
        }
    }

    @Test
    void orderOutsideOneToFourIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MarkovChainModel(0));
        assertThrows(IllegalArgumentException.class, () -> new MarkovChainModel(5));
    }

    @Test
    void emptyJourneyIsRejectedFromThePopulation() {
        assertThrows(IllegalArgumentException.class, () -> PathPopulation.builder().add(true, List.of()));
    }

    @Test
    void removalEffectsMatchDenseGaussianEliminationOnRandomPopulations() {
        Random random = new Random(2024);
        for (int round = 0; round < 20; round++) {
            List<List<String>> paths = randomPaths(random, 300, 6, 6);
            List<Boolean> converting = randomFlags(random, paths.size(), 0.3);
            PathPopulation population = populationOf(paths, converting);
            for (int order = 1; order <= 3; order++) {
                MarkovChainModel.Result result = new MarkovChainModel(order).fit(population);
                Map<String, Double> expected = new TreeMap<>();
                double p = ReferenceChain.absorption(paths, converting, order, null);
                assertEquals(p, result.conversionProbability(), 1e-13, "P at order " + order);
                for (String channel : population.channels()) {
                    double removed = ReferenceChain.absorption(paths, converting, order, channel);
                    expected.put(channel, p == 0 ? 0 : 1 - removed / p);
                }
                for (String channel : expected.keySet()) {
                    assertEquals(expected.get(channel), result.removalEffects().get(channel), 1e-12,
                            "RE of " + channel + " at order " + order + " round " + round);
                }
            }
        }
    }

    @Test
    void totalsEqualConvertingCountAtEveryOrder() {
        Random random = new Random(5);
        for (int round = 0; round < 10; round++) {
            List<List<String>> paths = randomPaths(random, 5_000, 12, 10);
            PathPopulation population = populationOf(paths, randomFlags(random, paths.size(), 0.05));
            for (int order = 1; order <= 4; order++) {
                DataDrivenCredits credits = new MarkovChainModel(order).fit(population).credits();
                assertEquals(population.convertingCount(), credits.total(), 1e-9);
                double channelSum = credits.channelTotals().values().stream().mapToDouble(Double::doubleValue).sum();
                assertEquals(population.convertingCount(), channelSum, 1e-9);
                for (int j = 0; j < population.size(); j++) {
                    double sum = TestJourneys.sum(credits.credit(j));
                    assertEquals(population.isConverting(j) ? 1 : 0, sum, 1e-12);
                }
            }
        }
    }

    @Test
    void markovIsBitForBitDeterministicAndIndependentOfJourneyOrder() {
        Random random = new Random(99);
        List<List<String>> paths = randomPaths(random, 20_000, 12, 10);
        List<Boolean> converting = randomFlags(random, paths.size(), 0.05);
        PathPopulation population = populationOf(paths, converting);
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < paths.size(); j++) {
            order.add(j);
        }
        Collections.shuffle(order, random);
        PathPopulation.Builder shuffled = PathPopulation.builder();
        for (int j : order) {
            shuffled.add(converting.get(j), paths.get(j));
        }
        PathPopulation shuffledPopulation = shuffled.build();
        for (int k = 1; k <= 4; k++) {
            MarkovChainModel.Result first = new MarkovChainModel(k).fit(population);
            MarkovChainModel.Result second = new MarkovChainModel(k).fit(population);
            MarkovChainModel.Result reordered = new MarkovChainModel(k).fit(shuffledPopulation);
            assertEquals(bits(first.conversionProbability()), bits(second.conversionProbability()));
            assertEquals(bits(first.conversionProbability()), bits(reordered.conversionProbability()));
            for (String channel : population.channels()) {
                long re = bits(first.removalEffects().get(channel));
                assertEquals(re, bits(second.removalEffects().get(channel)), channel);
                assertEquals(re, bits(reordered.removalEffects().get(channel)), channel);
            }
            for (int j = 0; j < population.size(); j++) {
                assertArrayEquals(first.credits().credit(j), second.credits().credit(j));
            }
            for (int i = 0; i < order.size(); i++) {
                assertArrayEquals(first.credits().credit(order.get(i)), reordered.credits().credit(i));
            }
        }
    }

    private static long bits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    static List<List<String>> randomPaths(Random random, int count, int channels, int maxLength) {
        List<List<String>> paths = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            int length = 1 + random.nextInt(maxLength);
            List<String> path = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                // Skewed towards the first channels, so repeats and loops are common.
                int c = Math.min(channels - 1, (int) (-Math.log(1 - random.nextDouble()) * channels / 3));
                path.add("ch" + c);
            }
            paths.add(path);
        }
        return paths;
    }

    static List<Boolean> randomFlags(Random random, int count, double rate) {
        List<Boolean> flags = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            flags.add(random.nextDouble() < rate);
        }
        return flags;
    }

    static PathPopulation populationOf(List<List<String>> paths, List<Boolean> converting) {
        PathPopulation.Builder builder = PathPopulation.builder();
        for (int j = 0; j < paths.size(); j++) {
            builder.add(converting.get(j), paths.get(j));
        }
        return builder.build();
    }

    /** An independent, slow and obvious implementation: states as lists, dense Gaussian elimination. */
    static final class ReferenceChain {

        static double absorption(List<List<String>> paths, List<Boolean> converting, int order, String removed) {
            Map<List<String>, Integer> index = new HashMap<>();
            List<List<String>> states = new ArrayList<>();
            index.put(List.of(), 0);
            states.add(List.of());
            List<Map<Integer, Integer>> next = new ArrayList<>();
            next.add(new HashMap<>());
            List<int[]> absorbed = new ArrayList<>(); // {conversion, null}
            absorbed.add(new int[2]);
            for (int j = 0; j < paths.size(); j++) {
                List<String> collapsed = new ArrayList<>();
                for (String c : paths.get(j)) {
                    if (collapsed.isEmpty() || !collapsed.get(collapsed.size() - 1).equals(c)) {
                        collapsed.add(c);
                    }
                }
                int from = 0;
                for (int i = 1; i <= collapsed.size(); i++) {
                    List<String> state = List.copyOf(collapsed.subList(Math.max(0, i - order), i));
                    Integer to = index.get(state);
                    if (to == null) {
                        to = states.size();
                        index.put(state, to);
                        states.add(state);
                        next.add(new HashMap<>());
                        absorbed.add(new int[2]);
                    }
                    next.get(from).merge(to, 1, Integer::sum);
                    from = to;
                }
                absorbed.get(from)[converting.get(j) ? 0 : 1]++;
            }
            int n = states.size();
            // (I − Q) x = b over all states; a removed state's row is x_s = 0.
            double[][] a = new double[n][n + 1];
            for (int s = 0; s < n; s++) {
                a[s][s] = 1;
                if (removed != null && states.get(s).contains(removed)) {
                    continue;
                }
                double out = absorbed.get(s)[0] + absorbed.get(s)[1];
                for (int count : next.get(s).values()) {
                    out += count;
                }
                for (Map.Entry<Integer, Integer> e : next.get(s).entrySet()) {
                    a[s][e.getKey()] -= e.getValue() / out;
                }
                a[s][n] = absorbed.get(s)[0] / out;
            }
            return solve(a)[0];
        }

        private static double[] solve(double[][] a) {
            int n = a.length;
            for (int col = 0; col < n; col++) {
                int pivot = col;
                for (int r = col + 1; r < n; r++) {
                    if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                        pivot = r;
                    }
                }
                double[] swap = a[col];
                a[col] = a[pivot];
                a[pivot] = swap;
                for (int r = 0; r < n; r++) {
                    if (r != col && a[r][col] != 0) {
                        double f = a[r][col] / a[col][col];
                        for (int c = col; c <= n; c++) {
                            a[r][c] -= f * a[col][c];
                        }
                    }
                }
            }
            double[] x = new double[n];
            for (int r = 0; r < n; r++) {
                x[r] = a[r][n] / a[r][r];
            }
            return x;
        }
    }
}
