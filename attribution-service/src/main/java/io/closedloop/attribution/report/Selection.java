package io.closedloop.attribution.report;

/** The k-th smallest of an array's values without sorting them (Hoare's selection): medians and apportionments. */
public final class Selection {

    private Selection() {
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
