package io.closedloop.attribution.rollup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The won deals of one dimension in close-day order, each with its days to conversion and, per key of its revenue
 * journey, which standard models credit the key (won_deal_rollup's profile, parsed once): the median days to conversion
 * of any period and model is a binary search for the period's deals and one pass over them. A median has no running
 * form, so this is the compact form that stays: a quarter is a few thousand deals.
 */
public final class WonDealDays {

    private final KeyNumbers numbers;
    private final int[] days;
    private final double[] toConversion;
    private final int[] start;
    private final int[] keyIds;
    private final int[] masks;

    private WonDealDays(KeyNumbers numbers, int[] days, double[] toConversion, int[] start, int[] keyIds, int[] masks) {
        this.numbers = numbers;
        this.days = days;
        this.toConversion = toConversion;
        this.start = start;
        this.keyIds = keyIds;
        this.masks = masks;
    }

    /** Deals whose keys are numbered by {@code numbers} (their dimension's). */
    public static Builder builder(KeyNumbers numbers) {
        return new Builder(numbers);
    }

    public KeyNumbers numbers() {
        return numbers;
    }

    /**
     * The medians of the deals closed on days [from, to) (epoch days) under the standard model at {@code model}: by key
     * number into {@code byKey} (NaN where no such deal's model credits the key; it holds at least {@code numbers().size()}
     * values, read after this was built), and of all the deals, returned (null: none).
     */
    public Double medians(int from, int to, int model, double[] byKey) {
        int lo = DaySums.lowerBound(days, from);
        int hi = DaySums.lowerBound(days, to);
        int bit = 1 << model;
        // The days of each key's deals side by side: counted, then placed (no array per key).
        int[] offset = new int[byKey.length + 1];
        for (int d = lo; d < hi; d++) {
            for (int j = start[d]; j < start[d + 1]; j++) {
                if ((masks[j] & bit) != 0) {
                    offset[keyIds[j] + 1]++;
                }
            }
        }
        for (int k = 0; k < byKey.length; k++) {
            offset[k + 1] += offset[k];
        }
        double[] values = new double[offset[byKey.length]];
        int[] filled = new int[byKey.length];
        for (int d = lo; d < hi; d++) {
            for (int j = start[d]; j < start[d + 1]; j++) {
                if ((masks[j] & bit) != 0) {
                    int k = keyIds[j];
                    values[offset[k] + filled[k]++] = toConversion[d];
                }
            }
        }
        for (int k = 0; k < byKey.length; k++) {
            byKey[k] = offset[k] == offset[k + 1] ? Double.NaN : median(values, offset[k], offset[k + 1]);
        }
        return hi == lo ? null : median(Arrays.copyOfRange(toConversion, lo, hi));
    }

    /** The heap this holds, roughly (for a cache's weigher; the keys' text is the KeyNumbers'). */
    public long bytes() {
        return 96L + 12L * days.length + 4L * start.length + 8L * keyIds.length;
    }

    /** The median, by selection (a period of a year holds tens of thousands of deals; sorting each key's was most of a report). */
    static double median(double[] values) {
        return median(values, 0, values.length);
    }

    /** The median of values[from .. to), reordering them. */
    static double median(double[] values, int from, int to) {
        int n = to - from;
        int upper = from + n / 2;
        select(values, from, to - 1, upper);
        if (n % 2 == 1) {
            return values[upper];
        }
        double lower = values[from];
        for (int i = from + 1; i < upper; i++) {
            lower = Math.max(lower, values[i]);
        }
        return (lower + values[upper]) / 2;
    }

    /** Reorders values[lo .. hi] so that index k holds the k-th smallest, the smaller before it (Hoare's selection). */
    private static void select(double[] values, int lo, int hi, int k) {
        while (lo < hi) {
            double pivot = values[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = values[i];
                    values[i] = values[j];
                    values[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    /** Deals in any order. */
    public static final class Builder {

        private record Deal(int day, double toConversion, int[] keyIds, int[] masks) {
        }

        private final List<Deal> deals = new ArrayList<>();
        private final KeyNumbers numbers;

        private Builder(KeyNumbers numbers) {
            this.numbers = numbers;
        }

        /** A deal closed on {@code day} (epoch day) with its profile (DealRow: per key, the mask of the models crediting it). */
        public Builder add(int day, double toConversion, String profile) {
            List<int[]> parsed = new ArrayList<>();
            DealRow.forEachKeyMask(profile, (key, mask) -> parsed.add(new int[] {numbers.number(key), mask}));
            int[] ids = new int[parsed.size()];
            int[] masks = new int[parsed.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = parsed.get(i)[0];
                masks[i] = parsed.get(i)[1];
            }
            deals.add(new Deal(day, toConversion, ids, masks));
            return this;
        }

        public WonDealDays build() {
            List<Deal> sorted = new ArrayList<>(deals);
            // By day, then days to conversion: the medians do not depend on the order within a day.
            sorted.sort((a, b) -> a.day() != b.day() ? Integer.compare(a.day(), b.day())
                    : Double.compare(a.toConversion(), b.toConversion()));
            int n = sorted.size();
            int[] days = new int[n];
            double[] toConversion = new double[n];
            int[] start = new int[n + 1];
            for (int d = 0; d < n; d++) {
                days[d] = sorted.get(d).day();
                toConversion[d] = sorted.get(d).toConversion();
                start[d + 1] = start[d] + sorted.get(d).keyIds().length;
            }
            int[] ids = new int[start[n]];
            int[] masks = new int[start[n]];
            for (int d = 0; d < n; d++) {
                System.arraycopy(sorted.get(d).keyIds(), 0, ids, start[d], sorted.get(d).keyIds().length);
                System.arraycopy(sorted.get(d).masks(), 0, masks, start[d], sorted.get(d).masks().length);
            }
            return new WonDealDays(numbers, days, toConversion, start, ids, masks);
        }
    }
}
