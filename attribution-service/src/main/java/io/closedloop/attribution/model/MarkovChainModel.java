package io.closedloop.attribution.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Markov chain attribution of order k = 1..4 (DESIGN §4), computed exactly rather than simulated.
 *
 * <p>Definition. Every journey becomes a path of channels with consecutive repeats collapsed (a
 * channel seen twice in a row is one visit). The state after the i-th channel is the tuple of the
 * last min(i, k) channels. Transitions, weighted by journey counts: start → s1 → … → sm →
 * conversion (converting journey) or null (non-converting). P is the probability of absorption
 * in conversion from start. Removing channel c sends every state containing c to null; P₋c is the
 * new absorption probability and the removal effect is RE_c = 1 − P₋c / P (all 0 when P = 0).
 * A converting journey's distinct channel c gets RE_c / Σ RE over the journey's distinct
 * channels (equal shares if that sum is 0), split equally over the journey's touches of c.
 * (When P &gt; 0 every channel of a converting journey has RE &gt; 0, since removing it cuts that
 * journey's path, so the equal-share case is a guard.)
 *
 * <p>How it is computed. States are encoded in a long (16 bits per channel, most recent lowest,
 * 0 = empty slot, so tuples of different lengths differ) and counted with an open-addressing
 * map, so only states that occur exist. Absorption probabilities x solve
 * {@code x_s = (conv_s + Σ_t n_st · x_t) / out_s}, with removed states fixed at 0. The chain has
 * cycles (a non-consecutive repeat is a loop at order 1), and at order 3 or 4 thousands of
 * states, so instead of dense elimination we run Gauss–Seidel sweeps twice side by side: from
 * x = 0, which rises monotonically to the solution, and from x = 1, which falls monotonically to
 * it (the update is monotone and every state can reach absorption, so both converge, and
 * floating-point rounding is monotone too, so neither oscillates). The true solution lies
 * between the two, so we stop when they are within 1e-14 of each other everywhere (or when a sweep
 * changes nothing, the floating-point fixed point) and return the midpoint at start. Sweeps cost
 * one pass over the transitions; chains whose loops are very likely to repeat (thousands of
 * alternations per journey) need more sweeps but still converge (tested).
 *
 * <p>Determinism. Channel ids come from sorted names, states are numbered by sorted key, each
 * state's transitions are summed in target order, and sweeps run in a fixed order (reverse
 * breadth-first from start, so values flow back from absorption quickly). Counts are integers,
 * so the result is identical bit for bit between runs and for any order of the input journeys.
 */
public final class MarkovChainModel {

    public static final int MAX_ORDER = 4;
    /** 16 bits per channel in a state key, 0 meaning an empty slot. */
    public static final int MAX_CHANNELS = 0xFFFF;

    private static final int CONVERSION = Integer.MAX_VALUE;
    private static final int NULL = Integer.MAX_VALUE - 1;
    private static final double TOLERANCE = 1e-14;
    private static final int MAX_SWEEPS = 10_000_000;
    /** Refits of chains up to this many states are solved by elimination (Chain.withCounts). */
    private static final int DIRECT_STATES = 64;

    private final int order;

    /** @throws IllegalArgumentException unless {@code 1 ≤ order ≤ 4} */
    public MarkovChainModel(int order) {
        if (order < 1 || order > MAX_ORDER) {
            throw new IllegalArgumentException("Markov order must be 1 to " + MAX_ORDER + ", got " + order);
        }
        this.order = order;
    }

    public int order() {
        return order;
    }

    /**
     * @param conversionProbability P, the absorption probability in conversion from start
     * @param removalEffects        RE per channel, channels in sorted order
     * @param credits               per-touch credits of every journey of the population
     * @param stateCount            number of transient states (start included)
     */
    public record Result(double conversionProbability, Map<String, Double> removalEffects,
            DataDrivenCredits credits, int stateCount) {
    }

    public Result fit(PathPopulation population) {
        checkChannels(population);
        Chain chain = Chain.build(population, order);
        double p = chain.absorptionFromStart(-1);
        double[] removalEffects = removalEffects(chain, p, population.channels().size());
        Map<String, Double> byName = new LinkedHashMap<>();
        for (int c = 0; c < removalEffects.length; c++) {
            byName.put(population.channels().get(c), removalEffects[c]);
        }
        DataDrivenCredits credits = new DataDrivenCredits(population, credit(population, removalEffects));
        return new Result(p, Collections.unmodifiableMap(byName), credits, chain.stateCount());
    }

    /**
     * The population's chain with its transitions counted per unit (an account: {@code unitOf[j]} for journey j), to be
     * refitted for any number of draws of each unit — bootstrap resamples (report/RefitIntervals) — without walking the
     * journeys again: a refit sums each drawn unit's few transition counts and solves the chain.
     */
    public Refits refits(PathPopulation population, int[] unitOf, int units) {
        checkChannels(population);
        return new Refits(Chain.build(population, order), population, unitOf, units);
    }

    /** The removal effects of refits (see {@link #refits}). */
    public static final class Refits {
        private final Chain chain;
        private final int channelCount;
        // Unit u's transitions: unitStart[u] .. unitStart[u + 1] - 1, each a slot (a transient edge e < E, a conversion from
        // state s at E + s, a drop to null from s at E + n + s) and how many of the unit's journeys take it.
        private final int[] unitStart;
        private final int[] slot;
        private final int[] taken;
        /** Counts summed per refit (transitions, conversions and drops per state): a block holds this many per refit. */
        public int slots() {
            return chain.target.length + 2 * chain.stateCount();
        }

        /** The most journeys taking one slot, each unit drawn once: what bounds a resample's count (int arithmetic). */
        private final long largest;

        private Refits(Chain chain, PathPopulation population, int[] unitOf, int units) {
            this.chain = chain;
            this.channelCount = population.channels().size();
            int edges = chain.target.length;
            int n = chain.stateCount();
            long[] pairs = new long[Math.max(16, population.touchCount() + population.size())];
            int count = 0;
            long[] visits = new long[16];
            for (int j = 0; j < population.size(); j++) {
                int from = 0;
                visits = Chain.visits(population, j, chain.window, visits);
                for (int v = 1; v <= (int) visits[0]; v++) {
                    int to = chain.state(visits[v]);
                    pairs[count++] = ((long) unitOf[j] << 32) | chain.edge(from, to);
                    from = to;
                }
                pairs[count++] = ((long) unitOf[j] << 32) | (edges + (population.isConverting(j) ? 0 : n) + from);
            }
            Arrays.sort(pairs, 0, count);
            unitStart = new int[units + 1];
            int[] slots = new int[count];
            int[] takes = new int[count];
            int entries = 0;
            for (int k = 0; k < count; k++) {
                if (entries > 0 && k > 0 && pairs[k] == pairs[k - 1]) {
                    takes[entries - 1]++;
                    continue;
                }
                unitStart[(int) (pairs[k] >>> 32) + 1]++;
                slots[entries] = (int) pairs[k];
                takes[entries++] = 1;
            }
            for (int u = 0; u < units; u++) {
                unitStart[u + 1] += unitStart[u];
            }
            slot = Arrays.copyOf(slots, entries);
            taken = Arrays.copyOf(takes, entries);
            long[] all = new long[edges + 2 * n];
            for (int e = 0; e < entries; e++) {
                all[slot[e]] += taken[e];
            }
            largest = Arrays.stream(all).max().orElse(0);
        }

        /**
         * RE per channel id of {@code count} refits at once (of {@code lanes}): in refit r, unit u's journeys counted
         * {@code draws[u][r]} times
         * ({@code most}: the largest draw). The counts of all refits are summed in one pass over the units, in loops over
         * the refits that the JIT compiles to vector instructions, then each refit's chain is solved.
         */
        public double[][] removalEffects(int[][] draws, int lanes, int count, int most) {
            if (most * largest > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("interval: a resample would count more than " + Integer.MAX_VALUE
                        + " journeys in one transition; ask intervals of a smaller period");
            }
            int edges = chain.target.length;
            int n = chain.stateCount();
            int[][] sums = new int[edges + 2 * n][lanes];
            for (int u = 0; u < unitStart.length - 1; u++) {
                int[] drawn = draws[u];
                for (int e = unitStart[u]; e < unitStart[u + 1]; e++) {
                    int[] sum = sums[slot[e]];
                    int t = taken[e];
                    for (int r = 0; r < lanes; r++) {
                        sum[r] += t * drawn[r];
                    }
                }
            }
            double[][] effects = new double[count][];
            for (int r = 0; r < count; r++) {
                double[] transitions = new double[edges];
                double[] conversions = new double[n];
                double[] out = new double[n];
                for (int e = 0; e < edges; e++) {
                    transitions[e] = sums[e][r];
                }
                for (int s = 0; s < n; s++) {
                    conversions[s] = sums[edges + s][r];
                    out[s] = conversions[s] + sums[edges + n + s][r];
                    for (int e = chain.rowStart[s]; e < chain.rowStart[s + 1]; e++) {
                        out[s] += transitions[e];
                    }
                }
                Chain refit = chain.withCounts(transitions, conversions, out);
                effects[r] = MarkovChainModel.removalEffects(refit, refit.absorptionFromStart(-1), channelCount);
            }
            return effects;
        }
    }

    private static void checkChannels(PathPopulation population) {
        if (population.channels().size() > MAX_CHANNELS) {
            throw new IllegalArgumentException("Markov model supports at most " + MAX_CHANNELS
                    + " channels, got " + population.channels().size());
        }
    }

    private static double[] removalEffects(Chain chain, double p, int channelCount) {
        double[] removalEffects = new double[channelCount];
        if (p > 0) {
            for (int c = 0; c < channelCount; c++) {
                // Removing states can only lower P; the clamp only absorbs rounding noise.
                removalEffects[c] = Math.min(1, Math.max(0, 1 - chain.absorptionFromStart(c) / p));
            }
        }
        return removalEffects;
    }

    /** Shares each converting journey's unit of credit by the removal effects of its channels. */
    static double[] credit(PathPopulation population, double[] channelWeights) {
        double[] credit = new double[population.touchCount()];
        int[] channelOf = population.touchChannels();
        int[] touchesOf = new int[channelWeights.length];
        int[] distinct = new int[channelWeights.length];
        for (int j = 0; j < population.size(); j++) {
            if (!population.isConverting(j)) {
                continue;
            }
            int from = population.offset(j);
            int to = from + population.length(j);
            int distinctCount = 0;
            for (int i = from; i < to; i++) {
                if (touchesOf[channelOf[i]]++ == 0) {
                    distinct[distinctCount++] = channelOf[i];
                }
            }
            double sum = 0;
            for (int d = 0; d < distinctCount; d++) {
                sum += channelWeights[distinct[d]];
            }
            for (int i = from; i < to; i++) {
                int c = channelOf[i];
                double share = sum > 0 ? channelWeights[c] / sum : 1.0 / distinctCount;
                credit[i] = share / touchesOf[c];
            }
            for (int d = 0; d < distinctCount; d++) {
                touchesOf[distinct[d]] = 0;
            }
        }
        return credit;
    }

    /** The transient part of the chain in compressed sparse rows, canonically numbered. */
    private static final class Chain {
        private final int order;
        private final long[] keys;          // state key per state; keys[0] = 0 is start
        private final int[] rowStart;       // transitions of s: rowStart[s] .. rowStart[s+1]-1
        private final int[] target;
        private final double[] count;
        private final double[] conversions; // journeys absorbed in conversion from s
        private final double[] out;         // all journeys leaving s
        private final int[] sweepOrder;
        private final long window;
        /** Solved by elimination rather than sweeps (a refit of a small chain; see {@link #withCounts}). */
        private final boolean direct;

        private Chain(int order, long[] keys, int[] rowStart, int[] target, double[] count,
                double[] conversions, double[] out, int[] sweepOrder, boolean direct) {
            this.order = order;
            this.keys = keys;
            this.rowStart = rowStart;
            this.target = target;
            this.count = count;
            this.conversions = conversions;
            this.out = out;
            this.sweepOrder = sweepOrder == null ? reverseBreadthFirstOrder() : sweepOrder;
            this.window = window(order);
            this.direct = direct;
        }

        /**
         * The same states and transitions counted otherwise (a refit); a state no journey leaves is never reached. A small
         * chain's refits are solved by Gaussian elimination, far faster than sweeps to 1e-14 there; its rounding grows with
         * the chain's conditioning (loops almost sure to repeat), which a bootstrap's bounds do not need bracketed; the
         * plain fit keeps the sweeps' guaranteed bracket.
         */
        Chain withCounts(double[] count, double[] conversions, double[] out) {
            return new Chain(order, keys, rowStart, target, count, conversions, out, sweepOrder, keys.length <= DIRECT_STATES);
        }

        private static long window(int order) {
            return order == 4 ? -1L : (1L << (16 * order)) - 1;
        }

        /** The state numbered for a key (of a state the chain has). */
        int state(long key) {
            return Arrays.binarySearch(keys, 1, keys.length, key);
        }

        /** The index of the transition from → to (one the chain has). */
        int edge(int from, int to) {
            return Arrays.binarySearch(target, rowStart[from], rowStart[from + 1], to);
        }

        int stateCount() {
            return keys.length;
        }

        /**
         * The states journey j visits, in order (a channel seen twice in a row is one visit): their keys in
         * {@code out[1..n]} and n in {@code out[0]}; {@code out}, or a larger array when it is too small.
         */
        static long[] visits(PathPopulation population, int j, long window, long[] out) {
            if (out.length <= population.length(j)) {
                out = new long[population.length(j) + 1];
            }
            int[] channelOf = population.touchChannels();
            int n = 0;
            long key = 0;
            int previous = -1;
            int end = population.offset(j) + population.length(j);
            for (int i = population.offset(j); i < end; i++) {
                int c = channelOf[i];
                if (c == previous) {
                    continue; // consecutive repeat: one visit
                }
                previous = c;
                key = ((key << 16) | (c + 1)) & window;
                out[++n] = key;
            }
            out[0] = n;
            return out;
        }

        static Chain build(PathPopulation population, int order) {
            long window = window(order);
            LongLongMap stateIds = new LongLongMap(1 << 10);
            LongLongMap edges = new LongLongMap(1 << 12);
            long[] provisionalKeys = new long[1 << 10];
            int provisionalCount = 1; // provisional id 0 is start
            long[] visits = new long[16];
            for (int j = 0; j < population.size(); j++) {
                int from = 0;
                visits = visits(population, j, window, visits);
                for (int v = 1; v <= (int) visits[0]; v++) {
                    long key = visits[v];
                    int to = (int) stateIds.putIfAbsent(key, provisionalCount);
                    if (to == provisionalCount) {
                        if (provisionalCount == provisionalKeys.length) {
                            provisionalKeys = Arrays.copyOf(provisionalKeys, provisionalCount * 2);
                        }
                        provisionalKeys[provisionalCount++] = key;
                    }
                    edges.addTo(((long) from << 32) | to, 1);
                    from = to;
                }
                edges.addTo(((long) from << 32) | (population.isConverting(j) ? CONVERSION : NULL), 1);
            }
            return canonical(order, Arrays.copyOf(provisionalKeys, provisionalCount), edges);
        }

        /** Renumbers states by sorted key and sorts each row by target, so nothing depends on input order. */
        private static Chain canonical(int order, long[] provisionalKeys, LongLongMap edges) {
            int n = provisionalKeys.length;
            long[] keys = provisionalKeys.clone();
            Arrays.sort(keys, 1, n);
            int[] canonicalOf = new int[n];
            int[] provisionalOf = new int[n];
            for (int p = 1; p < n; p++) {
                canonicalOf[p] = Arrays.binarySearch(keys, 1, n, provisionalKeys[p]);
                provisionalOf[canonicalOf[p]] = p;
            }
            double[] conversions = new double[n];
            double[] out = new double[n];
            long[] pairs = new long[edges.size()];
            int pairCount = 0;
            for (int slot = 0; slot < edges.capacity(); slot++) {
                long key = edges.keyAt(slot);
                if (key == 0) {
                    continue;
                }
                int from = canonicalOf[(int) (key >>> 32)];
                int to = (int) key;
                long journeys = edges.valueAt(slot);
                out[from] += journeys;
                if (to == CONVERSION) {
                    conversions[from] += journeys;
                } else if (to != NULL) {
                    pairs[pairCount++] = ((long) from << 32) | canonicalOf[to];
                }
            }
            Arrays.sort(pairs, 0, pairCount);
            int[] rowStart = new int[n + 1];
            int[] target = new int[pairCount];
            double[] count = new double[pairCount];
            for (int e = 0; e < pairCount; e++) {
                int from = (int) (pairs[e] >>> 32);
                target[e] = (int) pairs[e];
                count[e] = edges.get(((long) provisionalOf[from] << 32) | provisionalOf[target[e]], 0);
                rowStart[from + 1]++;
            }
            for (int s = 0; s < n; s++) {
                rowStart[s + 1] += rowStart[s];
            }
            return new Chain(order, keys, rowStart, target, count, conversions, out, null, false);
        }

        private int[] reverseBreadthFirstOrder() {
            int n = keys.length;
            int[] queue = new int[n];
            boolean[] seen = new boolean[n];
            int head = 0;
            int tail = 0;
            queue[tail++] = 0;
            seen[0] = true;
            while (head < tail) {
                int s = queue[head++];
                for (int e = rowStart[s]; e < rowStart[s + 1]; e++) {
                    if (!seen[target[e]]) {
                        seen[target[e]] = true;
                        queue[tail++] = target[e];
                    }
                }
            }
            // Every state was reached from start while counting, so tail == n.
            int[] order = new int[tail];
            for (int i = 0; i < tail; i++) {
                order[i] = queue[tail - 1 - i];
            }
            return order;
        }

        private boolean contains(long key, int channel) {
            for (int slot = 0; slot < order; slot++) {
                if (((key >>> (16 * slot)) & 0xFFFF) == channel + 1) {
                    return true;
                }
            }
            return false;
        }

        /** Absorption probability in conversion from start, with {@code removed} (or -1 for none) sent to null. */
        double absorptionFromStart(int removed) {
            int n = keys.length;
            double converted = 0;
            for (int s = 0; s < n; s++) {
                converted += conversions[s];
            }
            if (converted == 0) {
                return 0;
            }
            boolean[] isRemoved = new boolean[n];
            double[] low = new double[n];
            double[] high = new double[n];
            for (int s = 1; s < n; s++) {
                // A state no journey leaves (none of a refit's journeys visits it) is never reached: fixed at 0 too.
                isRemoved[s] = out[s] == 0 || removed >= 0 && contains(keys[s], removed);
                high[s] = isRemoved[s] ? 0 : 1;
            }
            if (direct) {
                return eliminated(isRemoved);
            }
            high[0] = 1;
            for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
                boolean changed = false;
                double gap = 0;
                for (int s : sweepOrder) {
                    if (isRemoved[s]) {
                        continue;
                    }
                    double lowSum = conversions[s];
                    double highSum = conversions[s];
                    for (int e = rowStart[s]; e < rowStart[s + 1]; e++) {
                        lowSum += count[e] * low[target[e]];
                        highSum += count[e] * high[target[e]];
                    }
                    lowSum /= out[s];
                    highSum /= out[s];
                    changed |= lowSum != low[s] || highSum != high[s];
                    low[s] = lowSum;
                    high[s] = highSum;
                    gap = Math.max(gap, highSum - lowSum);
                }
                if (gap <= TOLERANCE || !changed) {
                    return low[0] + (high[0] - low[0]) / 2;
                }
            }
            throw new IllegalStateException("Markov solve did not converge in " + MAX_SWEEPS + " sweeps");
        }

        /**
         * x at start of {@code out_s x_s − Σ_t n_st x_t = conv_s} over the states not removed, by elimination without
         * pivoting: the matrix is weakly diagonally dominant by rows (out_s counts every journey leaving s) and stays so.
         */
        private double eliminated(boolean[] isRemoved) {
            int n = keys.length;
            int[] index = new int[n];
            int m = 0;
            for (int s = 0; s < n; s++) {
                index[s] = isRemoved[s] ? -1 : m++;
            }
            double[][] a = new double[m][m];
            double[] b = new double[m];
            for (int s = 0; s < n; s++) {
                int i = index[s];
                if (i < 0) {
                    continue;
                }
                a[i][i] += out[s];
                b[i] = conversions[s];
                for (int e = rowStart[s]; e < rowStart[s + 1]; e++) {
                    if (index[target[e]] >= 0) {
                        a[i][index[target[e]]] -= count[e];
                    }
                }
            }
            for (int k = 0; k < m; k++) {
                for (int i = k + 1; i < m; i++) {
                    if (a[i][k] == 0) {
                        continue;
                    }
                    double f = a[i][k] / a[k][k];
                    for (int j = k; j < m; j++) {
                        a[i][j] -= f * a[k][j];
                    }
                    b[i] -= f * b[k];
                }
            }
            for (int k = m - 1; k >= 0; k--) {
                double sum = b[k];
                for (int j = k + 1; j < m; j++) {
                    sum -= a[k][j] * b[j];
                }
                b[k] = sum / a[k][k];
            }
            return b[0];
        }
    }
}
