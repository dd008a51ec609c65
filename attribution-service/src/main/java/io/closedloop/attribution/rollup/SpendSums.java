package io.closedloop.attribution.rollup;

import java.util.HashMap;
import java.util.Map;

/**
 * A workspace's spend as running sums over days: in total and by the values of one spend column (numbered as the keys of
 * the dimension it is the spend of; null for a dimension without spend). Each cell holds the amount and its rows' count, so
 * a value whose rows in a period add up to 0 is still one of the period's.
 */
public record SpendSums(DaySums byKey, DaySums total) {

    /** The spend columns, each a dimension's (Dimension.spendColumn). */
    public static final String[] COLUMNS = {"channel", "source", "medium", "campaign"};
    /** Values per cell: the amount and the rows. */
    public static final int WIDTH = 2;
    private static final String TOTAL = "";

    /** Adds each key's spend of days [from, to) (epoch days) to {@code out[number * WIDTH]}, its rows to the next value. */
    public void addTo(int from, int to, double[] out) {
        if (byKey != null) {
            byKey.addTo(from, to, out);
        }
    }

    /** Spend of days [from, to) (epoch days) per value (none without a column). */
    public Map<String, Double> by(int from, int to) {
        Map<String, Double> out = new HashMap<>();
        if (byKey != null) {
            byKey.forEach(from, to, (key, sums) -> out.put(key, sums[0]));
        }
        return out;
    }

    public double total(int from, int to) {
        double[] total = {0};
        this.total.forEach(from, to, (key, sums) -> total[0] = sums[0]);
        return total[0];
    }

    public long bytes() {
        return total.bytes() + (byKey == null ? 0 : byKey.bytes());
    }

    /** Spend rows in any order. */
    public static final class Builder {

        private final DaySums.Builder byKey;
        private final DaySums.Builder total = DaySums.builder(WIDTH, new KeyNumbers());
        private final double[] cell = new double[WIDTH];

        /** By the values numbered by {@code numbers}; null: the total only. */
        public Builder(KeyNumbers numbers) {
            this.byKey = numbers == null ? null : DaySums.builder(WIDTH, numbers);
        }

        /** A row's amount on {@code day} (epoch day) with its column's value (ignored without a column). */
        public Builder add(int day, String value, double amount) {
            cell[0] = amount;
            cell[1] = 1;
            if (byKey != null) {
                byKey.add(value, day, cell, 0);
            }
            total.add(TOTAL, day, cell, 0);
            return this;
        }

        public SpendSums build() {
            return new SpendSums(byKey == null ? null : byKey.build(), total.build());
        }
    }
}
