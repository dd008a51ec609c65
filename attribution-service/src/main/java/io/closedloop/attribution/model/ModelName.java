package io.closedloop.attribution.model;

/**
 * The models of DESIGN §4 by name, as clients will pick them. The rule-based ones are built by
 * {@link #ruleBased(double, CustomModel)}; MARKOV and SHAPLEY fit a {@link PathPopulation} instead.
 */
public enum ModelName {
    FIRST_TOUCH,
    LAST_TOUCH,
    LAST_NON_DIRECT,
    LINEAR,
    TIME_DECAY,
    U_SHAPED,
    W_SHAPED,
    FULL_PATH,
    J_SHAPED,
    INVERSE_J,
    CUSTOM,
    MARKOV,
    SHAPLEY;

    /** True for the models that split each journey by a rule (everything but MARKOV and SHAPLEY). */
    public boolean isRuleBased() {
        return this != MARKOV && this != SHAPLEY;
    }

    /**
     * True for the models whose credits are materialized: the rule-based ones without per-query
     * parameters (time decay uses the workspace's half-life). Custom weights and the data-driven
     * models are computed on demand.
     */
    public boolean isStandard() {
        return isRuleBased() && this != CUSTOM;
    }

    /**
     * @param halfLifeDays used by TIME_DECAY only, must be &gt; 0
     * @param custom       used by CUSTOM only, required for it
     * @throws IllegalArgumentException for MARKOV and SHAPLEY (not rule-based), a CUSTOM model
     *         without weights, or a half-life that is not &gt; 0 for TIME_DECAY
     */
    public RuleBasedModel ruleBased(double halfLifeDays, CustomModel custom) {
        return switch (this) {
            case FIRST_TOUCH -> new FirstTouchModel();
            case LAST_TOUCH -> new LastTouchModel();
            case LAST_NON_DIRECT -> new LastNonDirectModel();
            case LINEAR -> new LinearModel();
            case TIME_DECAY -> new TimeDecayModel(halfLifeDays);
            case U_SHAPED -> new PositionBasedModel();
            case W_SHAPED -> new WShapedModel();
            case FULL_PATH -> new FullPathModel();
            case J_SHAPED -> new JShapedModel();
            case INVERSE_J -> new InverseJShapedModel();
            case CUSTOM -> {
                if (custom == null) {
                    throw new IllegalArgumentException("the custom model needs weights");
                }
                yield custom;
            }
            case MARKOV, SHAPLEY -> throw new IllegalArgumentException(name() + " is data-driven, not rule-based");
        };
    }
}
