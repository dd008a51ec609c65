package io.closedloop.attribution.rollup;

import java.time.LocalDate;

/**
 * One row of {@code credit_rollup} (without workspace, generation and part): the sums of one
 * basis, dimension, conversion day and key, one element per standard model in the order of
 * {@link CreditRollup#MODELS}, then (credit and amount only) the custom components
 * ({@link CreditRollup#COMPONENTS}). In a delta the values may be negative.
 */
public record RollupRow(String basis, String dimension, LocalDate day, String key,
                        double[] credit, double[] amount, double[] opportunities) {

    /**
     * The pseudo-dimension of the conversion counts (the same in every model's element): key
     * {@link #ATTRIBUTED} and {@link #UNATTRIBUTED} (each: credit = count, amount = their amounts).
     */
    public static final String OPPORTUNITIES = "OPPORTUNITIES";
    public static final String ATTRIBUTED = "attributed";
    public static final String UNATTRIBUTED = "unattributed";
    /**
     * The pseudo-basis of the revenue journeys of each account's first won deal (new customers):
     * the same sums as REVENUE restricted to those deals.
     */
    public static final String NEW_CUSTOMER = "NEW_CUSTOMER";
}
