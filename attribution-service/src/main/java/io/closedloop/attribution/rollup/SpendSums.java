package io.closedloop.attribution.rollup;

import java.util.HashMap;
import java.util.Map;

/**
 * A workspace's spend as running sums over days: in total and by the values of each spend column (each numbered as the
 * keys of the dimension it is the spend of). Each cell holds the amount and its rows' count, so a value whose rows in a
 * period add up to 0 is still one of the period's.
 */
public record SpendSums(Map<String, DaySums> byColumn, DaySums total) {

    /** The spend columns, each a dimension's (Dimension.spendColumn). */
    public static final String[] COLUMNS = {"channel", "source", "medium", "campaign"};
    /** Values per cell: the amount and the rows. */
    public static final int WIDTH = 2;
    private static final String TOTAL = "";

    /**
     * Adds each value of {@code column} its spend of days [from, to) (epoch days) at {@code out[number * WIDTH]}, its rows at
     * the next value; nothing for a null column (a dimension without spend).
     */
    public void addTo(String column, int from, int to, double[] out) {
        if (column != null) {
            byColumn.get(column).addTo(from, to, out);
        }
    }

    /** Spend of days [from, to) (epoch days) per value of {@code column} (none for a null column). */
    public Map<String, Double> by(String column, int from, int to) {
        Map<String, Double> out = new HashMap<>();
        if (column != null) {
            byColumn.get(column).forEach(from, to, (key, sums) -> out.put(key, sums[0]));
        }
        return out;
    }

    public double total(int from, int to) {
        double[] total = {0};
        this.total.forEach(from, to, (key, sums) -> total[0] = sums[0]);
        return total[0];
    }

    public long bytes() {
        long bytes = total.bytes();
        for (DaySums sums : byColumn.values()) {
            bytes += sums.bytes();
        }
        return bytes;
    }

    /** Spend rows in any order. */
    public static final class Builder {

        private final Map<String, DaySums.Builder> byColumn = new HashMap<>();
        private final DaySums.Builder total = DaySums.builder(WIDTH, new KeyNumbers());
        private final double[] cell = new double[WIDTH];

        /** Each column's values numbered by {@code numbers.get(column)}. */
        public Builder(Map<String, KeyNumbers> numbers) {
            for (String column : COLUMNS) {
                byColumn.put(column, DaySums.builder(WIDTH, numbers.get(column)));
            }
        }

        /** A row's amount on {@code day} (epoch day) with its column values, {@code values[i]} of {@code COLUMNS[i]}. */
        public Builder add(int day, String[] values, double amount) {
            cell[0] = amount;
            cell[1] = 1;
            for (int i = 0; i < COLUMNS.length; i++) {
                byColumn.get(COLUMNS[i]).add(values[i], day, cell, 0);
            }
            total.add(TOTAL, day, cell, 0);
            return this;
        }

        public SpendSums build() {
            Map<String, DaySums> built = new HashMap<>();
            byColumn.forEach((column, builder) -> built.put(column, builder.build()));
            return new SpendSums(built, total.build());
        }
    }
}
