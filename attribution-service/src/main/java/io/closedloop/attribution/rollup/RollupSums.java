package io.closedloop.attribution.rollup;

/**
 * Sums of (credit, amount, opportunities) by a packed long key, in open addressing (linear
 * probing, load ≤ 1/2) so a full recompute adds millions of credits without boxing. Key 0 is
 * reserved for empty slots (packed keys are never 0: the day carries an offset).
 */
final class RollupSums {

    private long[] keys;
    private int[] slots;
    private int mask;
    private int size;
    private double[] credit;
    private double[] amount;
    private double[] opportunities;

    RollupSums() {
        keys = new long[1024];
        slots = new int[1024];
        mask = keys.length - 1;
        credit = new double[512];
        amount = new double[512];
        opportunities = new double[512];
    }

    void add(long key, double c, double a, double o) {
        int i = indexOf(key);
        credit[i] += c;
        amount[i] += a;
        opportunities[i] += o;
    }

    int size() {
        return size;
    }

    /** Visits every entry in insertion order. */
    void forEach(Entry visitor) {
        long[] byIndex = new long[size];
        for (int s = 0; s < keys.length; s++) {
            if (keys[s] != 0) {
                byIndex[slots[s]] = keys[s];
            }
        }
        for (int i = 0; i < size; i++) {
            visitor.accept(byIndex[i], credit[i], amount[i], opportunities[i]);
        }
    }

    @FunctionalInterface
    interface Entry {
        void accept(long key, double credit, double amount, double opportunities);
    }

    private int indexOf(long key) {
        int s = hash(key) & mask;
        while (keys[s] != 0) {
            if (keys[s] == key) {
                return slots[s];
            }
            s = (s + 1) & mask;
        }
        keys[s] = key;
        slots[s] = size;
        if (size == credit.length) {
            credit = java.util.Arrays.copyOf(credit, size * 2);
            amount = java.util.Arrays.copyOf(amount, size * 2);
            opportunities = java.util.Arrays.copyOf(opportunities, size * 2);
        }
        int index = size++;
        if (size * 2 > keys.length) {
            grow();
        }
        return index;
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
