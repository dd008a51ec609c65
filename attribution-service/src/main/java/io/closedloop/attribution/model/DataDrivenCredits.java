package io.closedloop.attribution.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-touch credits a data-driven model gave every journey of a population: each converting
 * journey's credits sum to 1, non-converting journeys get 0, so the total equals the number of
 * converting journeys. Channel totals are sums over the journeys' touch credits, so a report
 * reconciles with its drill-down.
 */
public final class DataDrivenCredits {

    private final PathPopulation population;
    private final double[] touchCredits;
    private final Map<String, Double> channelTotals;
    private final double total;

    DataDrivenCredits(PathPopulation population, double[] touchCredits) {
        this.population = population;
        this.touchCredits = touchCredits;
        // Compensated (Neumaier) sums: a naive running sum over ~10^5 journeys drifts by ~1e-9,
        // which would break "totals equal the number of converting journeys".
        int channels = population.channels().size();
        double[] sum = new double[channels + 1];         // per channel, then the grand total
        double[] compensation = new double[channels + 1];
        int[] channelOf = population.touchChannels();
        for (int i = 0; i < touchCredits.length; i++) {
            if (touchCredits[i] != 0) {
                add(sum, compensation, channelOf[i], touchCredits[i]);
                add(sum, compensation, channels, touchCredits[i]);
            }
        }
        Map<String, Double> totals = new LinkedHashMap<>();
        for (int c = 0; c < channels; c++) {
            totals.put(population.channels().get(c), sum[c] + compensation[c]);
        }
        this.channelTotals = Collections.unmodifiableMap(totals);
        this.total = sum[channels] + compensation[channels];
    }

    private static void add(double[] sum, double[] compensation, int k, double value) {
        double t = sum[k] + value;
        compensation[k] += Math.abs(sum[k]) >= Math.abs(value) ? (sum[k] - t) + value : (value - t) + sum[k];
        sum[k] = t;
    }

    public PathPopulation population() {
        return population;
    }

    /** Credits of one journey's touches, index-aligned with the channels it was added with. */
    public double[] credit(int journey) {
        int from = population.offset(journey);
        return Arrays.copyOfRange(touchCredits, from, from + population.length(journey));
    }

    /** Credit per channel, summed over all journeys; channels in sorted order. */
    public Map<String, Double> channelTotals() {
        return channelTotals;
    }

    /** Sum of all credits: the number of converting journeys, up to floating-point rounding. */
    public double total() {
        return total;
    }
}
