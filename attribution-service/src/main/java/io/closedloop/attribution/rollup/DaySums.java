package io.closedloop.attribution.rollup;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Sums over any range of days, per key: for each key the days it has data on, ascending, and running sums of
 * {@code width} values over them, so the sums of a period are two binary searches and one subtraction per key, whatever
 * the period's length (issue 20: a report reads a key's period in O(log days), not one row per day).
 *
 * <p>A difference of running sums is not bit for bit the sum of the period's cells: it differs by rounding of the order
 * of 1e-16 of the key's running total, far inside the reports' 1e-9.
 */
public final class DaySums {

    /** Receives one key's sums of a period; {@code sums} is the visitor's to keep. */
    public interface Visitor {
        void accept(String key, double[] sums);
    }

    private final int width;
    private final String[] keys;
    private final int[][] days;
    private final double[][] running;

    private DaySums(int width, String[] keys, int[][] days, double[][] running) {
        this.width = width;
        this.keys = keys;
        this.days = days;
        this.running = running;
    }

    public static Builder builder(int width) {
        return new Builder(width);
    }

    public int width() {
        return width;
    }

    /** Calls {@code visitor} with each key that has data on a day in [from, to) (epoch days) and its sums there. */
    public void forEach(int from, int to, Visitor visitor) {
        for (int k = 0; k < keys.length; k++) {
            int[] d = days[k];
            int lo = lowerBound(d, from);
            int hi = lowerBound(d, to);
            if (lo == hi) {
                continue;
            }
            double[] r = running[k];
            double[] sums = new double[width];
            for (int c = 0; c < width; c++) {
                sums[c] = r[hi * width + c] - r[lo * width + c];
            }
            visitor.accept(keys[k], sums);
        }
    }

    /** How many keys have data on some day. */
    public int keys() {
        return keys.length;
    }

    /** The heap this holds, roughly (for a cache's weigher). */
    public long bytes() {
        long total = 64L + 16L * keys.length;
        for (int k = 0; k < keys.length; k++) {
            total += 40L + 2L * keys[k].length() + 16 + 4L * days[k].length + 16 + 8L * running[k].length;
        }
        return total;
    }

    /** The first index of ascending {@code days} whose day is &gt;= day. */
    static int lowerBound(int[] days, int day) {
        int lo = 0;
        int hi = days.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (days[mid] < day) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Cells in any order; cells of one key and day (several writers' rows) add up. */
    public static final class Builder {

        private final int width;
        private final Map<String, Cells> byKey = new HashMap<>();

        private Builder(int width) {
            this.width = width;
        }

        /** Adds {@code values[offset .. offset + width)} to the cell of key and day (epoch day). */
        public Builder add(String key, int day, double[] values, int offset) {
            byKey.computeIfAbsent(key, k -> new Cells(width)).add(day, values, offset);
            return this;
        }

        public DaySums build() {
            String[] keys = byKey.keySet().toArray(new String[0]);
            Arrays.sort(keys);
            int[][] days = new int[keys.length][];
            double[][] running = new double[keys.length][];
            for (int k = 0; k < keys.length; k++) {
                Cells cells = byKey.get(keys[k]);
                cells.sort();
                days[k] = Arrays.copyOf(cells.days, cells.size);
                double[] r = new double[(cells.size + 1) * width];
                for (int i = 0; i < cells.size; i++) {
                    for (int c = 0; c < width; c++) {
                        r[(i + 1) * width + c] = r[i * width + c] + cells.values[i * width + c];
                    }
                }
                running[k] = r;
            }
            return new DaySums(width, keys, days, running);
        }
    }

    /** One key's cells as they arrive; merged by day when built. */
    private static final class Cells {

        private final int width;
        private int[] days = new int[4];
        private double[] values;
        private int size;
        private boolean sorted = true;

        Cells(int width) {
            this.width = width;
            this.values = new double[4 * width];
        }

        void add(int day, double[] source, int offset) {
            if (size > 0 && days[size - 1] == day) {
                for (int c = 0; c < width; c++) {
                    values[(size - 1) * width + c] += source[offset + c];
                }
                return;
            }
            if (size == days.length) {
                days = Arrays.copyOf(days, size * 2);
                values = Arrays.copyOf(values, size * 2 * width);
            }
            sorted &= size == 0 || days[size - 1] < day;
            days[size] = day;
            System.arraycopy(source, offset, values, size * width, width);
            size++;
        }

        /** Days ascending, one cell per day (cells arriving out of day order are sorted and merged here). */
        void sort() {
            if (sorted) {
                return;
            }
            // (day, index) packed: one primitive sort (days are epoch days, far inside 31 bits).
            long[] order = new long[size];
            for (int i = 0; i < size; i++) {
                order[i] = (long) days[i] << 32 | i;
            }
            Arrays.sort(order);
            int[] d = new int[size];
            double[] v = new double[size * width];
            int n = 0;
            for (long o : order) {
                int i = (int) o;
                if (n > 0 && d[n - 1] == days[i]) {
                    for (int c = 0; c < width; c++) {
                        v[(n - 1) * width + c] += values[i * width + c];
                    }
                } else {
                    d[n] = days[i];
                    System.arraycopy(values, i * width, v, n * width, width);
                    n++;
                }
            }
            days = d;
            values = v;
            size = n;
            sorted = true;
        }
    }
}
