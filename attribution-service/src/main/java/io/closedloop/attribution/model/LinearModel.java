package io.closedloop.attribution.model;

import java.util.Arrays;

/** Linear: 1/n to each touch. */
public final class LinearModel implements RuleBasedModel {

    @Override
    public double[] credit(Journey journey) {
        double[] credit = new double[journey.size()];
        Arrays.fill(credit, 1.0 / credit.length);
        return credit;
    }
}
