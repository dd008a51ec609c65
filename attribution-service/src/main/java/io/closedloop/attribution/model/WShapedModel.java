package io.closedloop.attribution.model;

/**
 * W-shaped: 30% each to FT, LC and OC; 10% shared equally by the non-milestone touches between FT
 * and OC; touches after OC get nothing. Coinciding milestones add their weights on one touch;
 * with no touch between FT and OC the 10% goes to FT, LC and OC pro rata (a third each).
 */
public final class WShapedModel implements RuleBasedModel {

    @Override
    public double[] credit(Journey journey) {
        if (journey.isUnattributed()) {
            return new double[0];
        }
        int ft = journey.firstTouchIndex();
        int oc = journey.opportunityCreationIndex();
        return PositionalSplit.split(journey.size(),
                new int[] {ft, journey.leadCreationIndex(), oc},
                new double[] {0.3, 0.3, 0.3}, 0.1, ft, oc);
    }
}
