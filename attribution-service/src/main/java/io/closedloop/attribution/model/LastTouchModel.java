package io.closedloop.attribution.model;

/** Last touch: 100% to tn. */
public final class LastTouchModel implements RuleBasedModel {

    @Override
    public double[] credit(Journey journey) {
        double[] credit = new double[journey.size()];
        if (credit.length > 0) {
            credit[credit.length - 1] = 1;
        }
        return credit;
    }
}
