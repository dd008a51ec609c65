package io.closedloop.attribution.report;

/** The k-th smallest of an array's values without sorting them (Hoare's selection): medians and apportionments. */
public final class Selection {

    private Selection() {
    }

    /** The median of values[from .. to) (not empty), reordering them. */
    public static double median(double[] values, int from, int to) {
        int n = to - from;
        int upper = from + n / 2;
        select(values, from, to - 1, upper);
        if (n % 2 == 1) {
            return values[upper];
        }
        // the lower middle is the largest of the smaller half
        double lower = values[from];
        for (int i = from + 1; i < upper; i++) {
            lower = Math.max(lower, values[i]);
        }
        return (lower + values[upper]) / 2;
    }

    /** Reorders values[lo .. hi] so that index k holds the k-th smallest of them, the smaller before it; returns it. */
    public static double select(double[] values, int lo, int hi, int k) {
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
                break;
            }
        }
        return values[k];
    }
}
