package io.closedloop.attribution.model;

import java.util.ArrayList;
import java.util.Arrays;
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
     * The population's channel sets counted per unit (an account: {@code unitOf[j]} for journey j), to be refitted for any
     * number of draws of each unit — a bootstrap resample (report/RefitIntervals) — without walking the journeys again.
     */
    public Refits refits(PathPopulation population, int[] unitOf, int units) {
        return new Refits(population, counts(population).sets(), unitOf, units);
    }

    /**
     * A refit's shares. Each converting set's Shapley values are summed over the sets seen in the population that it
     * contains, since every other subset's value is 0: φ_k = Σ_{S ⊆ T, k ∈ S} w(|S|−1)·r(S) − Σ_{S ⊊ T, k ∉ S} w(|S|)·r(S),
     * the sum over subsets of {@link #fit} regrouped by r (equal up to rounding), in a fixed order.
     */
    public static final class Refits {
        private final PathPopulation population;
        private final long[] sets;         // distinct channel sets, in order of first journey
        private final int[] setOf;         // per journey
        // Unit u's journeys: unitStart[u] .. unitStart[u + 1] - 1, each a set, how many journeys, how many converting.
        private final int[] unitStart;
        private final int[] unitSet;
        private final int[] unitJourneys;
        private final int[] unitConversions;
        // Per distinct set that a converting journey has: the distinct sets it contains (itself included).
        private final int[][] subsets;
        /** Counts summed per refit (journeys and conversions per channel set): a block holds this many per refit. */
        public int slots() {
            return 2 * sets.length;
        }

        /** The most journeys of one set, each unit drawn once: what bounds a resample's count (int arithmetic). */
        private final long largest;

        private Refits(PathPopulation population, long[] journeySets, int[] unitOf, int units) {
            this.population = population;
            LongLongMap index = new LongLongMap(1 << 10);
            long[] distinct = new long[16];
            int count = 0;
            setOf = new int[population.size()];
            long[] entries = new long[population.size()];
            for (int j = 0; j < population.size(); j++) {
                int i = (int) index.putIfAbsent(journeySets[j], count);
                if (i == count) {
                    if (count == distinct.length) {
                        distinct = Arrays.copyOf(distinct, count * 2);
                    }
                    distinct[count++] = journeySets[j];
                }
                setOf[j] = i;
                entries[j] = ((long) unitOf[j] << 32) | ((long) i << 1) | (population.isConverting(j) ? 1 : 0);
            }
            sets = Arrays.copyOf(distinct, count);
            Arrays.sort(entries);
            unitStart = new int[units + 1];
            int[] set = new int[entries.length];
            int[] journeys = new int[entries.length];
            int[] conversions = new int[entries.length];
            int n = 0;
            for (int k = 0; k < entries.length; k++) {
                int unit = (int) (entries[k] >>> 32);
                int i = (int) (entries[k] & 0xFFFFFFFFL) >>> 1;
                if (n == 0 || k == 0 || (entries[k - 1] >>> 32) != unit || set[n - 1] != i) {
                    unitStart[unit + 1]++;
                    set[n++] = i;
                }
                journeys[n - 1]++;
                conversions[n - 1] += (int) (entries[k] & 1);
            }
            for (int u = 0; u < units; u++) {
                unitStart[u + 1] += unitStart[u];
            }
            unitSet = Arrays.copyOf(set, n);
            unitJourneys = Arrays.copyOf(journeys, n);
            unitConversions = Arrays.copyOf(conversions, n);
            subsets = new int[count][];
            long[] all = new long[count];
            for (int e = 0; e < n; e++) {
                all[unitSet[e]] += unitJourneys[e];
            }
            largest = Arrays.stream(all).max().orElse(0);
            for (int j = 0; j < population.size(); j++) {
                int t = setOf[j];
                if (population.isConverting(j) && subsets[t] == null) {
                    subsets[t] = subsetsOf(sets[t], index);
                }
            }
        }

        /** The distinct sets inside {@code set}: its submasks looked up, or every set scanned, whichever is fewer. */
        private int[] subsetsOf(long set, LongLongMap index) {
            int t = Long.bitCount(set);
            int[] out = new int[Math.min(sets.length, 1 << t)];
            int n = 0;
            if ((1L << t) < sets.length) {
                for (long m = set; m != 0; m = (m - 1) & set) {
                    int i = (int) index.get(m, -1);
                    if (i >= 0) {
                        out[n++] = i;
                    }
                }
                Arrays.sort(out, 0, n);
            } else {
                for (int i = 0; i < sets.length; i++) {
                    if ((sets[i] & ~set) == 0) {
                        out[n++] = i;
                    }
                }
            }
            return Arrays.copyOf(out, n);
        }

        /** The channel set of journey {@code j}: its index in what {@link Drawn#shares} returns. */
        public int setOf(int j) {
            return setOf[j];
        }

        /**
         * The sets' journeys and conversions in a block of refits: in refit r, unit u's journeys counted {@code draws[u][r]}
         * times ({@code most}: the largest draw), summed in one pass over the units, in loops over the refits that the JIT
         * compiles to vector instructions.
         */
        public Drawn draw(int[][] draws, int lanes, int most) {
            if (most * largest > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("interval: a resample would count more than " + Integer.MAX_VALUE
                        + " journeys of one channel set; ask intervals of a smaller period");
            }
            int[][] journeys = new int[sets.length][lanes];
            int[][] conversions = new int[sets.length][lanes];
            for (int u = 0; u < unitStart.length - 1; u++) {
                int[] drawn = draws[u];
                for (int e = unitStart[u]; e < unitStart[u + 1]; e++) {
                    int[] sum = journeys[unitSet[e]];
                    int n = unitJourneys[e];
                    for (int r = 0; r < lanes; r++) {
                        sum[r] += n * drawn[r];
                    }
                    int c = unitConversions[e];
                    if (c > 0) {
                        int[] converted = conversions[unitSet[e]];
                        for (int r = 0; r < lanes; r++) {
                            converted[r] += c * drawn[r];
                        }
                    }
                }
            }
            return new Drawn(journeys, conversions);
        }

        /** The counts of a block of refits (see {@link #draw}). */
        public final class Drawn {
            private final int[][] journeys;
            private final int[][] conversions;

            private Drawn(int[][] journeys, int[][] conversions) {
                this.journeys = journeys;
                this.conversions = conversions;
            }

            /**
             * Refit {@code lane}'s share of a journey's unit of credit per channel id for each converting channel set (by
             * {@link #setOf}; null for a set no converting journey has, or none drawn).
             */
            public double[][] shares(int lane) {
                double[] rate = new double[sets.length];
                for (int i = 0; i < sets.length; i++) {
                    int n = journeys[i][lane];
                    rate[i] = n == 0 ? 0 : (double) conversions[i][lane] / n;
                }
                int channelCount = population.channels().size();
                double[][] bySet = new double[sets.length][];
                double[] plus = new double[channelCount];
                for (int t = 0; t < sets.length; t++) {
                    if (subsets[t] == null || conversions[t][lane] == 0) {
                        continue;
                    }
                    int[] members = members(sets[t]);
                    double[] weight = weights(members.length);
                    double total = 0;
                    for (int i : subsets[t]) {
                        double r = rate[i];
                        if (r == 0) {
                            continue;
                        }
                        int size = Long.bitCount(sets[i]);
                        double a = weight[size - 1];
                        if (size < members.length) {
                            total += weight[size] * r;
                            a += weight[size];
                        }
                        for (long rest = sets[i]; rest != 0; rest &= rest - 1) {
                            plus[Long.numberOfTrailingZeros(rest)] += a * r;
                        }
                    }
                    double[] phi = new double[members.length];
                    for (int k = 0; k < members.length; k++) {
                        phi[k] = plus[members[k]] - total;
                        plus[members[k]] = 0;
                    }
                    bySet[t] = share(members, phi, channelCount);
                }
                return bySet;
            }
        }
    }

    private static Counts counts(PathPopulation population) {
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
            journeys.addTo(set, 1);
            if (population.isConverting(j)) {
                conversions.addTo(set, 1);
            }
        }
        return new Counts(sets, journeys, conversions);
    }

    /** Normalized, clipped Shapley values of the channels of {@code set}, indexed by channel id. */
    private static double[] shares(long set, LongLongMap journeys, LongLongMap conversions, int channelCount) {
        int[] members = members(set);
        int t = members.length;
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
        double[] weight = weights(t);
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
        return share(members, phi, channelCount);
    }

    /** The channel ids of a set, ascending. */
    private static int[] members(long set) {
        int[] members = new int[Long.bitCount(set)];
        long rest = set;
        for (int k = 0; k < members.length; k++) {
            members[k] = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
        }
        return members;
    }

    /** weight[s] = s! (t−s−1)! / t! = 1 / (t · C(t−1, s)), for s = 0 .. t−1. */
    private static double[] weights(int t) {
        double[] weight = new double[t];
        double binomial = 1;
        for (int s = 0; s < t; s++) {
            weight[s] = 1 / (t * binomial);
            binomial = binomial * (t - 1 - s) / (s + 1);
        }
        return weight;
    }

    /** The Shapley values {@code phi} of {@code members} clipped at 0 and normalized, indexed by channel id. */
    private static double[] share(int[] members, double[] phi, int channelCount) {
        double sum = 0;
        for (int k = 0; k < members.length; k++) {
            phi[k] = Math.max(0, phi[k]);
            sum += phi[k];
        }
        double[] share = new double[channelCount];
        for (int k = 0; k < members.length; k++) {
            share[members[k]] = sum > 0 ? phi[k] / sum : 1.0 / members.length;
        }
        return share;
    }
}
