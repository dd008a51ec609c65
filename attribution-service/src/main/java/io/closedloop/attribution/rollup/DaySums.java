package io.closedloop.attribution.rollup;

import java.util.Arrays;

/**
 * Sums over any range of days, per key: for each key the days it has data on, ascending, and running sums of
 * {@code width} values over them, so the sums of a period are two binary searches and one subtraction per key, whatever
 * the period's length (issue 20: a report reads a key's period in O(log days), not one row per day). Keys are named by
 * their dimension's numbers (KeyNumbers), and a period's sums are added into an array indexed by them, so the structures
 * a report reads meet without a map.
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
    private final KeyNumbers numbers;
    /** The keys' numbers, ascending. */
    private final int[] keys;
    /** Key i's days are days[start[i] .. start[i + 1]); its running sums rows (start[i] + i) .. (start[i + 1] + i). */
    private final int[] start;
    private final int[] days;
    private final double[] running;

    private DaySums(int width, KeyNumbers numbers, int[] keys, int[] start, int[] days, double[] running) {
        this.width = width;
        this.numbers = numbers;
        this.keys = keys;
        this.start = start;
        this.days = days;
        this.running = running;
    }

    public static Builder builder(int width, KeyNumbers numbers) {
        return new Builder(width, numbers);
    }

    public int width() {
        return width;
    }

    /** The numbers this names its keys by. */
    public KeyNumbers numbers() {
        return numbers;
    }

    /**
     * Adds each key's sums of days [from, to) (epoch days) to {@code out[number * width ..]}; returns whether some key has
     * data in the period. {@code out} holds at least {@code numbers().size() * width} values, read after this was built.
     */
    public boolean addTo(int from, int to, double[] out) {
        boolean any = false;
        for (int k = 0; k < keys.length; k++) {
            int first = start[k];
            int end = start[k + 1];
            // A key whose days lie outside the period is skipped, one inside it whole needs no search (most of a
            // dimension with 20,000 keys is one or the other).
            if (days[first] >= to || days[end - 1] < from) {
                continue;
            }
            int lo = days[first] >= from ? first : lowerBound(days, first, end, from);
            int hi = days[end - 1] < to ? end : lowerBound(days, lo, end, to);
            if (lo == hi) {
                continue;
            }
            any = true;
            int a = (lo + k) * width;
            int b = (hi + k) * width;
            int o = keys[k] * width;
            for (int c = 0; c < width; c++) {
                out[o + c] += running[b + c] - running[a + c];
            }
        }
        return any;
    }

    /** Adds the sums of days [from, to) of the key numbered {@code number} to {@code out[at .. at + width)}. */
    public void addTo(int number, int from, int to, double[] out, int at) {
        int k = Arrays.binarySearch(keys, number);
        if (k < 0) {
            return;
        }
        int lo = lowerBound(days, start[k], start[k + 1], from);
        int hi = lowerBound(days, lo, start[k + 1], to);
        for (int c = 0; c < width; c++) {
            out[at + c] += running[(hi + k) * width + c] - running[(lo + k) * width + c];
        }
    }

    /** Calls {@code visitor} with each key that has data on a day in [from, to) (epoch days) and its sums there. */
    public void forEach(int from, int to, Visitor visitor) {
        for (int k = 0; k < keys.length; k++) {
            int lo = lowerBound(days, start[k], start[k + 1], from);
            int hi = lowerBound(days, lo, start[k + 1], to);
            if (lo == hi) {
                continue;
            }
            double[] sums = new double[width];
            for (int c = 0; c < width; c++) {
                sums[c] = running[(hi + k) * width + c] - running[(lo + k) * width + c];
            }
            visitor.accept(numbers.name(keys[k]), sums);
        }
    }

    /** How many keys have data on some day. */
    public int keys() {
        return keys.length;
    }

    /** The heap this holds, roughly (for a cache's weigher; the keys' text is the KeyNumbers'). */
    public long bytes() {
        return 96L + 8L * keys.length + 4L * days.length + 8L * running.length;
    }

    /** The first index in [lo, hi) of ascending {@code days} whose day is &gt;= day (hi if none). */
    static int lowerBound(int[] days, int lo, int hi, int day) {
        // Without a branch on the comparison (the JIT makes the choice a conditional move): a report searches 20,000 keys'
        // days, and mispredicted branches were most of its time.
        int base = lo;
        int n = hi - lo;
        if (n == 0) {
            return lo;
        }
        while (n > 1) {
            int half = n >>> 1;
            base = days[base + half - 1] < day ? base + half : base;
            n -= half;
        }
        return days[base] < day ? base + 1 : base;
    }

    /** The first index of ascending {@code days} whose day is &gt;= day. */
    static int lowerBound(int[] days, int day) {
        return lowerBound(days, 0, days.length, day);
    }

    /** Cells in any order; cells of one key and day (several writers' rows) add up. */
    public static final class Builder {

        private final int width;
        private final KeyNumbers numbers;
        private Cells[] byNumber = new Cells[16];
        private int keys;

        private Builder(int width, KeyNumbers numbers) {
            this.width = width;
            this.numbers = numbers;
        }

        /** Adds {@code values[offset .. offset + width)} to the cell of key and day (epoch day). */
        public Builder add(String key, int day, double[] values, int offset) {
            return add(number(key), day, values, offset);
        }

        /** The key's number (a key with many cells is looked up once). */
        public int number(String key) {
            return numbers.number(key);
        }

        /** Adds {@code values[offset .. offset + width)} to the cell of the key numbered {@code number} and day. */
        public Builder add(int number, int day, double[] values, int offset) {
            if (number >= byNumber.length) {
                byNumber = Arrays.copyOf(byNumber, Math.max(2 * byNumber.length, number + 1));
            }
            Cells cells = byNumber[number];
            if (cells == null) {
                cells = byNumber[number] = new Cells(width);
                keys++;
            }
            cells.add(day, values, offset);
            return this;
        }

        public DaySums build() {
            int[] keyNumbers = new int[keys];
            int[] start = new int[keys + 1];
            int n = 0;
            for (int number = 0; number < byNumber.length; number++) {
                Cells cells = byNumber[number];
                if (cells != null) {
                    cells.sort();
                    keyNumbers[n] = number;
                    start[n + 1] = start[n] + cells.size;
                    n++;
                }
            }
            int[] days = new int[start[keys]];
            double[] running = new double[(start[keys] + keys) * width];
            for (int k = 0; k < keys; k++) {
                Cells cells = byNumber[keyNumbers[k]];
                System.arraycopy(cells.days, 0, days, start[k], cells.size);
                int base = (start[k] + k) * width;
                for (int i = 0; i < cells.size; i++) {
                    for (int c = 0; c < width; c++) {
                        running[base + (i + 1) * width + c] = running[base + i * width + c] + cells.values[i * width + c];
                    }
                }
            }
            return new DaySums(width, numbers, keyNumbers, start, days, running);
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
