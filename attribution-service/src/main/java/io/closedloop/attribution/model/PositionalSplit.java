package io.closedloop.attribution.model;

/**
 * The shared arithmetic of the position and milestone models (U, J, inverse J, W, Z, custom).
 *
 * <p>Named positions get their weights (positions may coincide; their weights then add on one
 * touch). The middle weight is shared equally by the touches strictly between {@code from} and
 * {@code to} that are not named. When there is no such touch, DESIGN §4 gives the middle share to
 * the named positions pro rata to their weights (equally if those are all 0); that is the same as
 * normalizing the named weights alone, which is what we do. Touches outside the named positions
 * and the middle get 0. The result is divided by its total so it sums to 1 even when custom
 * weights sum to 1 only within 1e-6.
 */
final class PositionalSplit {

    private PositionalSplit() {
    }

    static double[] split(int n, int[] positions, double[] weights, double middleWeight, int from, int to) {
        double[] credit = new double[n];
        if (n == 0) {
            return credit;
        }
        boolean[] named = new boolean[n];
        double namedTotal = 0;
        for (int k = 0; k < positions.length; k++) {
            named[positions[k]] = true;
            namedTotal += weights[k];
        }
        int middleCount = 0;
        for (int i = from + 1; i < to; i++) {
            if (!named[i]) {
                middleCount++;
            }
        }
        if (middleCount > 0 && middleWeight > 0) {
            for (int k = 0; k < positions.length; k++) {
                credit[positions[k]] += weights[k];
            }
            double each = middleWeight / middleCount;
            for (int i = from + 1; i < to; i++) {
                if (!named[i]) {
                    credit[i] += each;
                }
            }
            return normalize(credit, namedTotal + middleWeight);
        }
        if (namedTotal > 0) {
            for (int k = 0; k < positions.length; k++) {
                credit[positions[k]] += weights[k];
            }
            return normalize(credit, namedTotal);
        }
        // All named weights are 0 (custom model with middle = 1) and no middle touch: equal shares.
        for (int position : positions) {
            credit[position] += 1.0 / positions.length;
        }
        return credit;
    }

    private static double[] normalize(double[] credit, double total) {
        for (int i = 0; i < credit.length; i++) {
            credit[i] /= total;
        }
        return credit;
    }

    /** U, J and inverse J: t1, tn and the middle t2..tn−1. */
    static double[] firstLastMiddle(Journey journey, double first, double last, double middle) {
        int n = journey.size();
        return split(n, new int[] {0, n - 1}, new double[] {first, last}, middle, 0, n - 1);
    }
}
