package io.closedloop.attribution.report;

/**
 * Credits of one value of the grouping dimension: {@code credit} sums touch credits (so the rows
 * sum to the attributed opportunity count), {@code amount} sums credit × the opportunity's amount,
 * {@code opportunities} counts the distinct opportunities giving this key credit > 0.
 */
public record AttributionRow(String key, double credit, double amount, int opportunities) {
}
