package io.closedloop.attribution.rollup;

import io.closedloop.attribution.report.Selection;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class WonDealDaysTest {

    private static String profile(Object... keyMasks) {
        StringBuilder profile = new StringBuilder();
        for (int i = 0; i < keyMasks.length; i += 2) {
            DealRow.appendEntry(profile, (String) keyMasks[i], (Integer) keyMasks[i + 1]);
        }
        return profile.toString();
    }

    @Test
    void theMedianBySelectionIsTheMedianOfTheSortedValues() {
        java.util.Random random = new java.util.Random(3);
        for (int trial = 0; trial < 500; trial++) {
            double[] values = new double[1 + random.nextInt(60)];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(5) == 0 ? 7.0 : Math.floor(random.nextDouble() * 100) / 4;
            }
            double[] sorted = values.clone();
            java.util.Arrays.sort(sorted);
            int n = sorted.length;
            double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            assertEquals(expected, Selection.median(values, 0, values.length), java.util.Arrays.toString(sorted));
        }
    }

    @Test
    void mediansOfAPeriodCountTheDealsWhoseKeyTheModelCredits() {
        // model 0 credits bit 0, model 1 bit 1
        KeyNumbers numbers = new KeyNumbers();
        WonDealDays deals = WonDealDays.builder(numbers)
                .add(12, 30, profile("email", 0b11, "ads;x", 0b10))
                .add(10, 10, profile("email", 0b01))
                .add(11, 20, profile("ads;x", 0b11))
                .add(15, 99, profile("email", 0b11))
                .build();
        assertEquals(20.0, deals.median(10, 13));
        assertEquals(Map.of("email", 20.0, "ads;x", 20.0), medians(deals, 10, 13, 0));
        assertEquals(Map.of("email", 30.0, "ads;x", 25.0), medians(deals, 10, 13, 1));
        assertEquals(Map.of("email", 64.5), medians(deals, 12, 16, 0));
        assertEquals(Map.of(), medians(deals, 13, 15, 0));
        assertNull(deals.median(13, 15));
        // a key numbered after these deals were built has none
        assertNull(deals.median(numbers.number("later"), 10, 16, 0));
    }

    /** The medians by key (keys with none left out). */
    private static Map<String, Double> medians(WonDealDays deals, int from, int to, int model) {
        Map<String, Double> out = new HashMap<>();
        for (int k = 0; k < deals.numbers().size(); k++) {
            Double median = deals.median(k, from, to, model);
            if (median != null) {
                out.put(deals.numbers().name(k), median);
            }
        }
        return out;
    }
}
