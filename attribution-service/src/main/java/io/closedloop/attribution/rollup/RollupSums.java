package io.closedloop.attribution.rollup;

import java.util.Arrays;

/**
 * Sums of (credit, amount, opportunities) for each of {@code models} models and of (credit, amount)
 * for each of {@code components} custom components (no count) by a packed long key, in open
 * addressing (linear probing, load ≤ 1/2) so a full recompute adds millions of credits without
 * boxing. The components live in arrays of their own so the models' hot loop keeps its compact
 * stride. Key 0 is reserved for empty slots (packed keys are never 0: the day carries an offset).
 */
final class RollupSums {

    private final int models;
    private final int components;
    private long[] keys;
    private int[] slots;
    private int mask;
    private int size;
    private int capacity = 512;
    private double[] credit;
    private double[] amount;
    private double[] opportunities;
    private double[] componentCredit;
    private double[] componentAmount;

    RollupSums(int models, int components) {
        this.models = models;
        this.components = components;
        keys = new long[1024];
        slots = new int[1024];
        mask = keys.length - 1;
        credit = new double[capacity * models];
        amount = new double[capacity * models];
        opportunities = new double[capacity * models];
        componentCredit = new double[capacity * components];
        componentAmount = new double[capacity * components];
    }

    /** The entry of {@code key} (created empty if absent), for {@link #add}. */
    int entry(long key) {
        int s = hash(key) & mask;
        while (keys[s] != 0) {
            if (keys[s] == key) {
                return slots[s];
            }
            s = (s + 1) & mask;
        }
        keys[s] = key;
        slots[s] = size;
        if (size + 1 > capacity) {
            capacity *= 2;
            credit = Arrays.copyOf(credit, capacity * models);
            amount = Arrays.copyOf(amount, capacity * models);
            opportunities = Arrays.copyOf(opportunities, capacity * models);
            componentCredit = Arrays.copyOf(componentCredit, capacity * components);
            componentAmount = Arrays.copyOf(componentAmount, capacity * components);
        }
        int index = size++;
        if (size * 2 > keys.length) {
            grow();
        }
        return index;
    }

    /** Adds to element {@code element}: a model (counted) below {@code models}, else a component (o ignored). */
    void add(int entry, int element, double c, double a, double o) {
        if (element < models) {
            int i = entry * models + element;
            credit[i] += c;
            amount[i] += a;
            opportunities[i] += o;
        } else {
            int i = entry * components + element - models;
            componentCredit[i] += c;
            componentAmount[i] += a;
        }
    }

    int size() {
        return size;
    }

    /**
     * The bytes its arrays will take once the next few entries make them grow (doubled), or take now while they have room
     * for an eighth more: what a full recompute bounds by writing its sums out and starting over, checked between accounts,
     * so it must be checked before the doubling.
     */
    long bytesSoon() {
        boolean valuesGrow = size + capacity / 8 > capacity;
        boolean keysGrow = 2 * (size + capacity / 8) > keys.length;
        return bytes(valuesGrow ? 2 * capacity : capacity, keysGrow ? 2 * keys.length : keys.length);
    }

    private long bytes(int capacity, int slots) {
        return (long) capacity * (3L * models + 2L * components) * Double.BYTES + (long) slots * (Long.BYTES + Integer.BYTES);
    }

    /** Every entry's key, by entry index. */
    long[] keysByEntry() {
        long[] byIndex = new long[size];
        for (int s = 0; s < keys.length; s++) {
            if (keys[s] != 0) {
                byIndex[slots[s]] = keys[s];
            }
        }
        return byIndex;
    }

    /** Credit of element {@code element} (a model below {@code models}, else a component) of an entry. */
    double credit(int entry, int element) {
        return element < models ? credit[entry * models + element] : componentCredit[entry * components + element - models];
    }

    double amount(int entry, int element) {
        return element < models ? amount[entry * models + element] : componentAmount[entry * components + element - models];
    }

    /** The count of a model of an entry, a whole number (the sums of ±1 carry no rounding but be safe). */
    double opportunities(int entry, int model) {
        return Math.rint(opportunities[entry * models + model]);
    }

    /** Visits every entry in insertion order; the arrays are views valid during the call only. */
    void forEach(Entry visitor) {
        long[] byIndex = keysByEntry();
        for (int i = 0; i < size; i++) {
            double[] c = new double[models + components];
            double[] a = new double[models + components];
            System.arraycopy(credit, i * models, c, 0, models);
            System.arraycopy(componentCredit, i * components, c, models, components);
            System.arraycopy(amount, i * models, a, 0, models);
            System.arraycopy(componentAmount, i * components, a, models, components);
            visitor.accept(byIndex[i], c, a, Arrays.copyOfRange(opportunities, i * models, (i + 1) * models));
        }
    }

    @FunctionalInterface
    interface Entry {
        void accept(long key, double[] credit, double[] amount, double[] opportunities);
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldSlots = slots;
        keys = new long[oldKeys.length * 2];
        slots = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int s = hash(oldKeys[i]) & mask;
                while (keys[s] != 0) {
                    s = (s + 1) & mask;
                }
                keys[s] = oldKeys[i];
                slots[s] = oldSlots[i];
            }
        }
    }

    /** The MurmurHash3 64-bit finalizer. */
    private static int hash(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }
}
