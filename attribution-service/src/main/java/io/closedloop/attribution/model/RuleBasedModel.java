package io.closedloop.attribution.model;

/**
 * A rule that splits one unit of credit over one journey's touches (DESIGN §4).
 * Implementations are pure and thread-safe.
 */
public interface RuleBasedModel {

    /**
     * @return one credit per touch, index-aligned with {@link Journey#touches()}, summing to 1;
     *         an empty array for a journey with no touch (unattributed)
     */
    double[] credit(Journey journey);
}
