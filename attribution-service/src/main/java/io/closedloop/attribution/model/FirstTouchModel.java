package io.closedloop.attribution.model;

/** First touch: 100% to t1. */
public final class FirstTouchModel implements RuleBasedModel {

    @Override
    public double[] credit(Journey journey) {
        double[] credit = new double[journey.size()];
        if (credit.length > 0) {
            credit[0] = 1;
        }
        return credit;
    }
}
