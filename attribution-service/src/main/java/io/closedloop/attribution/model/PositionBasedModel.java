package io.closedloop.attribution.model;

/**
 * Position-based (U): 40% to t1, 40% to tn, 20% shared equally by t2..tn−1. With n = 1 t1 gets
 * 100%; with n = 2 the middle's 20% goes to t1 and tn pro rata, so 50/50.
 */
public final class PositionBasedModel implements RuleBasedModel {

    @Override
    public double[] credit(Journey journey) {
        return PositionalSplit.firstLastMiddle(journey, 0.4, 0.4, 0.2);
    }
}
