package io.closedloop.attribution.rollup;

import java.util.HashMap;
import java.util.Map;

/** A workspace's spend as running sums over days: by each spend column's values (channel, source, medium, campaign), and in total. */
public record SpendSums(Map<String, DaySums> byColumn, DaySums total) {

    public static final String[] COLUMNS = {"channel", "source", "medium", "campaign"};
    private static final String TOTAL = "";

    /** Spend of days [from, to) (epoch days) per value of {@code column}. */
    public Map<String, Double> by(String column, int from, int to) {
        Map<String, Double> out = new HashMap<>();
        byColumn.get(column).forEach(from, to, (key, sums) -> out.put(key, sums[0]));
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
        private final DaySums.Builder total = DaySums.builder(1);
        private final double[] cell = new double[1];

        public Builder() {
            for (String column : COLUMNS) {
                byColumn.put(column, DaySums.builder(1));
            }
        }

        /** A row's amount on {@code day} (epoch day) with its column values, {@code values[i]} of {@code COLUMNS[i]}. */
        public Builder add(int day, String[] values, double amount) {
            cell[0] = amount;
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
