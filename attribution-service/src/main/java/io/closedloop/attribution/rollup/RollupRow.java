package io.closedloop.attribution.rollup;

import java.time.LocalDate;

/**
 * One row of {@code credit_rollup} (without workspace and generation): the sums of one basis,
 * model, dimension, conversion day and key. In a delta the values may be negative.
 */
public record RollupRow(String basis, String model, String dimension, LocalDate day, String key,
                        double credit, double amount, double opportunities) {

    /** The pseudo-model of the conversion-count rows. */
    public static final String ALL_MODELS = "*";
    /** The pseudo-dimension of the conversion-count rows; keys {@link #ATTRIBUTED} and {@link #UNATTRIBUTED}. */
    public static final String OPPORTUNITIES = "OPPORTUNITIES";
    public static final String ATTRIBUTED = "attributed";
    public static final String UNATTRIBUTED = "unattributed";
}
