/**
 * The attribution models of DESIGN §4 as pure functions over journeys, with no framework imports
 * (complete and tested: see the tests beside them, and {@code MarkovBenchmark}).
 *
 * <p>Rule-based models implement {@link io.closedloop.attribution.model.RuleBasedModel}
 * ({@code double[] credit(Journey)}, index-aligned with the journey's touches, summing to 1); the
 * data-driven {@link io.closedloop.attribution.model.MarkovChainModel} (exact, order 1–4) and
 * {@link io.closedloop.attribution.model.ShapleyModel} fit a
 * {@link io.closedloop.attribution.model.PathPopulation} and return
 * {@link io.closedloop.attribution.model.DataDrivenCredits}. Times are epoch milliseconds.
 */
package io.closedloop.attribution.model;
