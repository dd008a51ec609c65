package io.closedloop.attribution.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Shapley attribution over channel sets (DESIGN §4).
 *
 * <p>Definition. Each journey's channel set T is its distinct channels. For every set S seen,
 * N(S) journeys and C(S) converting ones give the rate r(S) = C(S) / N(S); r(S) = 0 for S unseen
 * or empty. A converting journey with set T gives channel i in T its Shapley value in the game on
 * T's subsets with worth r:
 * φ_i = Σ_{S ⊆ T∖{i}} |S|! (|T|−|S|−1)! / |T|! · (r(S ∪ {i}) − r(S));
 * negative values are clipped to 0 and the φ normalized to sum to 1, each channel's share split
 * equally over the journey's touches of that channel.
 *
 * <p>Decision where DESIGN is silent: if every φ of T is ≤ 0 (nothing to normalize), each channel
 * of T gets an equal share, so a converting journey always hands out exactly one unit of credit
 * and the totals equal the number of converting journeys. (For a converting journey the φ sum to
 * r(T) &gt; 0, so this is a guard rather than a case that occurs.)
 *
 * <p>How it is computed. Channel sets are bitmasks (at most 64 channels); N and C are counted in
 * an open-addressing map; shares are computed once per distinct converting set, reading r for all
 * 2^|T| subsets into a local array first, so a journey with 12 channels costs 4,096 look-ups.
 * Sums run in a fixed subset order, so results are identical between runs.
 */
public final class ShapleyModel {

    public static final int MAX_CHANNELS = 64;
    /** 2^20 subsets per distinct set is still well under a second; beyond that the exact sum is impractical. */
    public static final int MAX_CHANNELS_PER_JOURNEY = 20;

    /**
     * A coalition the values come from: a set of channels seen as a journey's channels, with how many journeys had
     * exactly that set and how many of them converted (its value r = conversions / journeys).
     */
    public record Coalition(List<String> channels, long journeys, long conversions) {
        public double conversionRate() {
            return journeys == 0 ? 0 : (double) conversions / journeys;
        }
    }

    /** Each journey's channel set and the journeys and conversions of every set seen. */
    private record Counts(long[] sets, LongLongMap journeys, LongLongMap conversions) {
    }

    /** The credits and the coalitions they come from, from one count of the population. */
    public record Explained(DataDrivenCredits credits, List<Coalition> coalitions) {
    }

    public DataDrivenCredits fit(PathPopulation population) {
        return fit(population, counts(population));
    }

    /** {@link #fit} with the coalitions its values come from (an explanation), counting the population once. */
    public Explained explained(PathPopulation population) {
        Counts counts = counts(population);
        return new Explained(fit(population, counts), coalitions(population, counts));
    }

    private DataDrivenCredits fit(PathPopulation population, Counts counts) {
        int channelCount = population.channels().size();
        int[] channelOf = population.touchChannels();
        long[] sets = counts.sets();
        LongLongMap journeys = counts.journeys();
        LongLongMap conversions = counts.conversions();

        LongLongMap sharesIndex = new LongLongMap(1 << 8);
        List<double[]> shares = new ArrayList<>();
        double[] credit = new double[population.touchCount()];
        int[] touchesOf = new int[channelCount];
        for (int j = 0; j < population.size(); j++) {
            if (!population.isConverting(j)) {
                continue;
            }
            int index = (int) sharesIndex.putIfAbsent(sets[j], shares.size());
            if (index == shares.size()) {
                shares.add(shares(sets[j], journeys, conversions, channelCount));
            }
            double[] share = shares.get(index);
            int from = population.offset(j);
            int to = from + population.length(j);
            for (int i = from; i < to; i++) {
                touchesOf[channelOf[i]]++;
            }
            for (int i = from; i < to; i++) {
                credit[i] = share[channelOf[i]] / touchesOf[channelOf[i]];
            }
            for (int i = from; i < to; i++) {
                touchesOf[channelOf[i]] = 0;
            }
        }
        return new DataDrivenCredits(population, credit);
    }

    /**
     * Every channel set seen in {@code population} with its journeys and conversions, most journeys first (then by the
     * sets' channel names): what the Shapley values of {@link #fit} are computed from.
     */
    private static List<Coalition> coalitions(PathPopulation population, Counts counts) {
        List<Coalition> out = new ArrayList<>();
        List<String> channels = population.channels();
        LongLongMap journeys = counts.journeys();
        for (int slot = 0; slot < journeys.capacity(); slot++) {
            long set = journeys.keyAt(slot);
            if (set == 0) {
                continue; // an empty slot (a journey always has a channel)
            }
            List<String> names = new ArrayList<>(Long.bitCount(set));
            for (long rest = set; rest != 0; rest &= rest - 1) {
                names.add(channels.get(Long.numberOfTrailingZeros(rest)));
            }
            out.add(new Coalition(List.copyOf(names), journeys.valueAt(slot), counts.conversions().get(set, 0)));
        }
        out.sort(java.util.Comparator.comparingLong(Coalition::journeys).reversed()
                .thenComparing(c -> String.join("\u0000", c.channels())));
        return out;
    }

    /**
     * Each converting journey's share of its unit of credit per channel (indexed by channel id; null for a journey not
     * converting or not counted), with each journey counted {@code weights[j]} times: what a bootstrap resample refits
     * (report/RefitIntervals). A journey's touch of channel c gets share[c] over its touches of c, as {@link #fit} gives.
     */
    public double[][] shares(PathPopulation population, long[] weights) {
        Counts counts = counts(population, weights);
        int channelCount = population.channels().size();
        LongLongMap sharesIndex = new LongLongMap(1 << 8);
        List<double[]> distinct = new ArrayList<>();
        double[][] out = new double[population.size()][];
        for (int j = 0; j < population.size(); j++) {
            if (!population.isConverting(j) || weights[j] == 0) {
                continue;
            }
            long set = counts.sets()[j];
            int index = (int) sharesIndex.putIfAbsent(set, distinct.size());
            if (index == distinct.size()) {
                distinct.add(shares(set, counts.journeys(), counts.conversions(), channelCount));
            }
            out[j] = distinct.get(index);
        }
        return out;
    }

    private static Counts counts(PathPopulation population) {
        return counts(population, null);
    }

    private static Counts counts(PathPopulation population, long[] weights) {
        int channelCount = population.channels().size();
        if (channelCount > MAX_CHANNELS) {
            throw new IllegalArgumentException("Shapley model supports at most " + MAX_CHANNELS
                    + " channels, got " + channelCount);
        }
        int[] channelOf = population.touchChannels();
        long[] sets = new long[population.size()];
        LongLongMap journeys = new LongLongMap(1 << 10);
        LongLongMap conversions = new LongLongMap(1 << 10);
        for (int j = 0; j < population.size(); j++) {
            long set = 0;
            int end = population.offset(j) + population.length(j);
            for (int i = population.offset(j); i < end; i++) {
                set |= 1L << channelOf[i];
            }
            if (Long.bitCount(set) > MAX_CHANNELS_PER_JOURNEY) {
                throw new IllegalArgumentException("Shapley model supports at most " + MAX_CHANNELS_PER_JOURNEY
                        + " distinct channels per journey; journey " + j + " has " + Long.bitCount(set));
            }
            sets[j] = set;
            long weight = weights == null ? 1 : weights[j];
            if (weight == 0) {
                continue;
            }
            journeys.addTo(set, weight);
            if (population.isConverting(j)) {
                conversions.addTo(set, weight);
            }
        }
        return new Counts(sets, journeys, conversions);
    }

    /** Normalized, clipped Shapley values of the channels of {@code set}, indexed by channel id. */
    private static double[] shares(long set, LongLongMap journeys, LongLongMap conversions, int channelCount) {
        int t = Long.bitCount(set);
        int[] members = new int[t];
        long rest = set;
        for (int k = 0; k < t; k++) {
            members[k] = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
        }
        // r for every subset of T, by local mask (bit k = members[k]).
        int subsets = 1 << t;
        double[] rate = new double[subsets];
        long[] global = new long[subsets];
        for (int m = 1; m < subsets; m++) {
            int lowest = Integer.numberOfTrailingZeros(m);
            global[m] = global[m & (m - 1)] | (1L << members[lowest]);
            long n = journeys.get(global[m], 0);
            rate[m] = n == 0 ? 0 : (double) conversions.get(global[m], 0) / n;
        }
        // weight[s] = s! (t−s−1)! / t! = 1 / (t · C(t−1, s))
        double[] weight = new double[t];
        double binomial = 1;
        for (int s = 0; s < t; s++) {
            weight[s] = 1 / (t * binomial);
            binomial = binomial * (t - 1 - s) / (s + 1);
        }
        double[] phi = new double[t];
        for (int m = 0; m < subsets; m++) {
            double w = 0;
            int size = Integer.bitCount(m);
            if (size < t) {
                w = weight[size];
            }
            for (int k = 0; k < t; k++) {
                if ((m & (1 << k)) == 0) {
                    phi[k] += w * (rate[m | (1 << k)] - rate[m]);
                }
            }
        }
        double sum = 0;
        for (int k = 0; k < t; k++) {
            phi[k] = Math.max(0, phi[k]);
            sum += phi[k];
        }
        double[] share = new double[channelCount];
        for (int k = 0; k < t; k++) {
            share[members[k]] = sum > 0 ? phi[k] / sum : 1.0 / t;
        }
        return share;
    }
}
