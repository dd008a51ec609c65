package io.closedloop.attribution.rollup;

import io.closedloop.attribution.report.Selection;

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
    /** The deals' close days, ascending, and their days to conversion. */
    private final int[] days;
    private final double[] toConversion;
    /** Key number k's deals are deals[start[k] .. start[k + 1]) (ascending, indexes into days), with their masks. */
    private final int[] start;
    private final int[] deals;
    private final int[] masks;

    private WonDealDays(KeyNumbers numbers, int[] days, double[] toConversion, int[] start, int[] deals, int[] masks) {
        this.numbers = numbers;
        this.days = days;
        this.toConversion = toConversion;
        this.start = start;
        this.deals = deals;
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
     * The median days to conversion of the deals closed on days [from, to) (epoch days) whose key numbered {@code key} the
     * standard model at {@code model} credits; null when there is none. A key's deals are read, not the period's.
     */
    public Double median(int key, int from, int to, int model) {
        if (key + 1 >= start.length) {
            return null;
        }
        int lo = DaySums.lowerBound(days, from);
        int hi = DaySums.lowerBound(days, to);
        int first = DaySums.lowerBound(deals, start[key], start[key + 1], lo);
        int bit = 1 << model;
        double[] values = new double[8];
        int n = 0;
        for (int j = first; j < start[key + 1] && deals[j] < hi; j++) {
            if ((masks[j] & bit) != 0) {
                if (n == values.length) {
                    values = Arrays.copyOf(values, 2 * n);
                }
                values[n++] = toConversion[deals[j]];
            }
        }
        return n == 0 ? null : Selection.median(values, 0, n);
    }

    /** The median days to conversion of all the deals closed on days [from, to); null when there is none. */
    public Double median(int from, int to) {
        int lo = DaySums.lowerBound(days, from);
        int hi = DaySums.lowerBound(days, to);
        return hi == lo ? null : Selection.median(Arrays.copyOfRange(toConversion, lo, hi), 0, hi - lo);
    }

    /** The heap this holds, roughly (for a cache's weigher; the keys' text is the KeyNumbers'). */
    public long bytes() {
        return 96L + 12L * days.length + 4L * start.length + 8L * deals.length;
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
            int keys = 0;
            for (int d = 0; d < n; d++) {
                days[d] = sorted.get(d).day();
                toConversion[d] = sorted.get(d).toConversion();
                for (int key : sorted.get(d).keyIds()) {
                    keys = Math.max(keys, key + 1);
                }
            }
            // By key, each key's deals in day order: counted, then placed.
            int[] start = new int[keys + 1];
            for (Deal deal : sorted) {
                for (int key : deal.keyIds()) {
                    start[key + 1]++;
                }
            }
            for (int k = 0; k < keys; k++) {
                start[k + 1] += start[k];
            }
            int[] filled = Arrays.copyOf(start, keys);
            int[] byKey = new int[start[keys]];
            int[] masks = new int[start[keys]];
            for (int d = 0; d < n; d++) {
                Deal deal = sorted.get(d);
                for (int i = 0; i < deal.keyIds().length; i++) {
                    int j = filled[deal.keyIds()[i]]++;
                    byKey[j] = d;
                    masks[j] = deal.masks()[i];
                }
            }
            return new WonDealDays(numbers, days, toConversion, start, byKey, masks);
        }
    }
}
