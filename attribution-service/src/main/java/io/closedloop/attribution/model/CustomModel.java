package io.closedloop.attribution.model;

/**
 * Custom milestone weights: fractions for FT, LC, OC, CW and the middle, each non-negative and
 * together summing to 1 within 1e-6; split by the full-path rules: each milestone gets its
 * fraction (coinciding milestones add), the middle fraction is shared equally by the
 * non-milestone touches between FT and CW, and with no such touch it goes to the four milestones
 * pro rata to their fractions (equally if those are all 0). Credits are normalized to sum to 1.
 */
public final class CustomModel implements RuleBasedModel {

    /** How far from 1 the fractions may sum (DESIGN §4). */
    public static final double SUM_TOLERANCE = 1e-6;

    private final double[] milestoneWeights;
    private final double middle;

    /**
     * @throws IllegalArgumentException naming the field when a fraction is negative or not
     *         finite, or when the fractions do not sum to 1 within 1e-6
     */
    public CustomModel(double firstTouch, double leadCreation, double opportunityCreation, double closedWon,
            double middle) {
        check("firstTouch", firstTouch);
        check("leadCreation", leadCreation);
        check("opportunityCreation", opportunityCreation);
        check("closedWon", closedWon);
        check("middle", middle);
        double sum = firstTouch + leadCreation + opportunityCreation + closedWon + middle;
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("custom model weights firstTouch + leadCreation + opportunityCreation"
                    + " + closedWon + middle must sum to 1 (within 1e-6), got " + sum);
        }
        this.milestoneWeights = new double[] {firstTouch, leadCreation, opportunityCreation, closedWon};
        this.middle = middle;
    }

    private static void check(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(
                    "custom model weight " + field + " must be a finite number >= 0, got " + value);
        }
    }

    /** The fractions in the order firstTouch, leadCreation, opportunityCreation, closedWon, middle. */
    public double[] weights() {
        return new double[] {milestoneWeights[0], milestoneWeights[1], milestoneWeights[2], milestoneWeights[3], middle};
    }

    @Override
    public double[] credit(Journey journey) {
        if (journey.isUnattributed()) {
            return new double[0];
        }
        int ft = journey.firstTouchIndex();
        int cw = journey.closedWonIndex();
        return PositionalSplit.split(journey.size(),
                new int[] {ft, journey.leadCreationIndex(), journey.opportunityCreationIndex(), cw},
                milestoneWeights, middle, ft, cw);
    }
}
