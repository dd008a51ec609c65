package io.closedloop.attribution.rollup;

/** One group of a report summed from the rollups; opportunities: the deals with credit (or a touch) in it. */
public record RollupSum(String basis, String dimension, String key, double credit, double amount, double opportunities) {
}
