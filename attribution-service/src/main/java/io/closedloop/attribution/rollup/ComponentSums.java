package io.closedloop.attribution.rollup;

/**
 * Every custom component of one group, summed ({@code credit}, {@code amount}), and LINEAR's element: the conversion
 * counts of an OPPORTUNITIES row, and the deals whose journey has the key.
 */
public record ComponentSums(String basis, String dimension, String key, double[] credit, double[] amount,
                            double linearCredit, double linearAmount, double opportunities) {
}
