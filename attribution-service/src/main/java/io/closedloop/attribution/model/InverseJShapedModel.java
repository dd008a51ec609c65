package io.closedloop.attribution.model;

/**
 * Inverse J: 60% to t1, 20% to tn, 20% shared equally by the middle t2..tn−1. With n = 1 t1 gets
 * 100%; with n = 2 the middle's share goes pro rata to t1 and tn: 75/25.
 */
public final class InverseJShapedModel implements RuleBasedModel {

    @Override
    public double[] credit(Journey journey) {
        return PositionalSplit.firstLastMiddle(journey, 0.6, 0.2, 0.2);
    }
}
