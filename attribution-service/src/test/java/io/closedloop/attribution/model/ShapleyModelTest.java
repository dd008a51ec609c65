package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.assertCredits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShapleyModelTest {

    private final ShapleyModel shapley = new ShapleyModel();

    private static void add(PathPopulation.Builder builder, int journeys, int converting, String... channels) {
        for (int j = 0; j < journeys; j++) {
            builder.add(j < converting, channels);
        }
    }

    /**
     * Two channels. {A}: 4 journeys, 1 converting → r = 1/4; {B}: 2, 1 → 1/2; {A,B}: 2, 2 → 1.
     * <pre>
     * φ_A = ½ (r(A) − r(∅)) + ½ (r(AB) − r(B)) = ½ · ¼ + ½ · ½ = 0.375
     * φ_B = ½ (r(B) − r(∅)) + ½ (r(AB) − r(A)) = ½ · ½ + ½ · ¾ = 0.625       (sum 1 = r(AB))
     * </pre>
     * The journey A, B, A splits A's 0.375 over its two touches.
     */
    @Test
    void aPopulationOfADictionarysIdsIsTheOneOfItsNamesWithoutTheUnusedChannels() {
        List<String> dictionary = List.of("web", "ads", "unused", "email");
        int[] ids = {1, 0, 3, 0, 1, 1};
        PathPopulation byIds = PathPopulation.builder(dictionary).add(true, ids, 0, 3).add(false, ids, 3, 6).add(true, ids, 2, 4)
                .build();
        PathPopulation byNames = PathPopulation.builder().add(true, "ads", "web", "email").add(false, "web", "ads", "ads")
                .add(true, "email", "web").build();
        assertEquals(List.of("ads", "email", "web"), byIds.channels());
        assertEquals(byNames.channels(), byIds.channels());
        assertArrayEquals(byNames.touchChannels(), byIds.touchChannels());
        assertEquals(byNames.convertingCount(), byIds.convertingCount());
        for (int k = 0; k < byNames.convertingCount(); k++) {
            assertArrayEquals(new ShapleyModel().fit(byNames).credit(k), new ShapleyModel().fit(byIds).credit(k));
        }
        assertThrows(IllegalArgumentException.class, () -> PathPopulation.builder(dictionary).add(true, new int[] {4}, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PathPopulation.builder(dictionary).add(true, ids, 2, 2));
    }

    @Test
    void shapleyGivesHandComputedValuesForTwoChannels() {
        PathPopulation.Builder builder = PathPopulation.builder();
        add(builder, 4, 1, "A");
        add(builder, 2, 1, "B");
        builder.add(true, "A", "B", "A");
        builder.add(true, "B", "A");
        DataDrivenCredits credits = shapley.fit(builder.build());
        assertCredits(new double[] {1}, credits.credit(0));     // converting {A}: A alone
        assertCredits(new double[] {0}, credits.credit(1));     // non-converting
        assertCredits(new double[] {1}, credits.credit(4));     // converting {B}
        assertCredits(new double[] {0.1875, 0.625, 0.1875}, credits.credit(6));
        assertCredits(new double[] {0.625, 0.375}, credits.credit(7));
        assertEquals(1 + 0.375 + 0.375, credits.channelTotals().get("A"), 1e-12);
        assertEquals(1 + 0.625 + 0.625, credits.channelTotals().get("B"), 1e-12);
        assertEquals(4, credits.total(), 1e-12);
    }

    /**
     * Negative value clipped. {A}: 2 journeys, 1 converting → ½; {B}: 1, 0 → 0; {A,B}: 5, 1 → 0.2.
     * φ_A = ½ · ½ + ½ · 0.2 = 0.35; φ_B = ½ · 0 + ½ · (0.2 − 0.5) = −0.15 → 0. So A 1, B 0.
     */
    @Test
    void shapleyClipsNegativeValuesToZero() {
        PathPopulation.Builder builder = PathPopulation.builder();
        add(builder, 2, 1, "A");
        add(builder, 1, 0, "B");
        add(builder, 5, 1, "A", "B");
        DataDrivenCredits credits = shapley.fit(builder.build());
        assertCredits(new double[] {1, 0}, credits.credit(3));
        assertEquals(2, credits.total(), 1e-12);
    }

    /**
     * Three channels; weights |S|!(2−|S|)!/3! are 1/3, 1/6, 1/6, 1/3 for |S| = 0, 1, 1, 2.
     * <pre>
     * r(A) = 1/10, r(B) = 1/5, r(C) = 0/4, r(AB) = 1/2, r(AC) unseen = 0, r(BC) = 1/4, r(ABC) = 2/4
     * φ_A = ⅓·0.1 + ⅙·(0.5 − 0.2) + ⅙·(0 − 0) + ⅓·(0.5 − 0.25) = 1/30 + 1/20 + 1/12 = 20/120
     * φ_B = ⅓·0.2 + ⅙·(0.5 − 0.1) + ⅙·(0.25 − 0) + ⅓·(0.5 − 0) = 8/120 + 8/120 + 5/120 + 20/120 = 41/120
     * φ_C = ⅓·0 + ⅙·(0 − 0.1) + ⅙·(0.25 − 0.2) + ⅓·(0.5 − 0.5) = −2/120 + 1/120 = −1/120 → 0
     * shares: A 20/61, B 41/61, C 0
     * </pre>
     */
    @Test
    void shapleyGivesHandComputedValuesForThreeChannels() {
        PathPopulation.Builder builder = PathPopulation.builder();
        add(builder, 10, 1, "A");
        add(builder, 5, 1, "B");
        add(builder, 4, 0, "C");
        add(builder, 2, 1, "A", "B");
        add(builder, 4, 1, "B", "C");
        add(builder, 4, 2, "C", "A", "B");
        PathPopulation population = builder.build();
        DataDrivenCredits credits = shapley.fit(population);
        int abc = population.size() - 4; // first converting C, A, B journey
        assertCredits(new double[] {0, 20.0 / 61, 41.0 / 61}, credits.credit(abc));
        assertEquals(6, credits.total(), 1e-12);
    }

    @Test
    void shapleyTotalsEqualConvertingCountAndRepeatBitForBit() {
        Random random = new Random(3);
        for (int round = 0; round < 10; round++) {
            List<List<String>> paths = MarkovChainModelTest.randomPaths(random, 20_000, 12, 10);
            PathPopulation population = MarkovChainModelTest.populationOf(paths,
                    MarkovChainModelTest.randomFlags(random, paths.size(), 0.05));
            DataDrivenCredits first = shapley.fit(population);
            DataDrivenCredits second = shapley.fit(population);
            assertEquals(population.convertingCount(), first.total(), 1e-9);
            for (int j = 0; j < population.size(); j++) {
                double[] credit = first.credit(j);
                assertEquals(population.isConverting(j) ? 1 : 0, TestJourneys.sum(credit), 1e-12);
                assertArrayEquals(credit, second.credit(j));
            }
        }
    }

    @Test
    void shapleyIsFastWithTwelveDistinctChannelsPerJourney() {
        Random random = new Random(8);
        PathPopulation.Builder builder = PathPopulation.builder();
        for (int j = 0; j < 50_000; j++) {
            List<String> path = new ArrayList<>();
            int length = 1 + random.nextInt(24);
            for (int i = 0; i < length; i++) {
                path.add("ch" + random.nextInt(12));
            }
            builder.add(random.nextInt(10) == 0, path);
        }
        PathPopulation population = builder.build();
        DataDrivenCredits credits = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> shapley.fit(population));
        assertEquals(population.convertingCount(), credits.total(), 1e-9);
    }

    @Test
    void shapleyRejectsTooManyDistinctChannelsInOneJourney() {
        List<String> path = new ArrayList<>();
        for (int c = 0; c <= ShapleyModel.MAX_CHANNELS_PER_JOURNEY; c++) {
            path.add("ch" + c);
        }
        PathPopulation population = PathPopulation.builder().add(true, path).build();
        assertThrows(IllegalArgumentException.class, () -> shapley.fit(population));
    }
}
