package io.closedloop.attribution.model;

/**
 * Full path (Z): 22.5% each to FT, LC, OC and CW; 10% shared equally by the non-milestone touches
 * between FT and CW. Coinciding milestones add their weights on one touch; with no touch between
 * FT and CW the 10% goes to the four milestones pro rata (a quarter each). CW is always the last
 * touch of a journey, so no touch lies after it.
 */
public final class FullPathModel implements RuleBasedModel {

    private static final CustomModel WEIGHTS = new CustomModel(0.225, 0.225, 0.225, 0.225, 0.1);

    @Override
    public double[] credit(Journey journey) {
        return WEIGHTS.credit(journey);
    }
}
