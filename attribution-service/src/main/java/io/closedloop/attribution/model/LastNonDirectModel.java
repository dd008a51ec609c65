package io.closedloop.attribution.model;

/**
 * Last non-direct: 100% to the last touch whose channel is not {@code direct}; tn if all are
 * {@code direct}. Channels arrive normalized by the taxonomy (DESIGN §3, lower case), so the
 * comparison is exact.
 */
public final class LastNonDirectModel implements RuleBasedModel {

    /** The channel of traffic with no campaign and no referrer (DESIGN §0). */
    public static final String DIRECT = "direct";

    @Override
    public double[] credit(Journey journey) {
        int n = journey.size();
        double[] credit = new double[n];
        if (n == 0) {
            return credit;
        }
        int chosen = n - 1;
        for (int i = n - 1; i >= 0; i--) {
            if (!DIRECT.equals(journey.touch(i).channel())) {
                chosen = i;
                break;
            }
        }
        credit[chosen] = 1;
        return credit;
    }
}
