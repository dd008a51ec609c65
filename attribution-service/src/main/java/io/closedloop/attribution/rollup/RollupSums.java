package io.closedloop.attribution.rollup;

import java.util.Arrays;

/**
 * Sums of (credit, amount) for each of {@code width} elements and of opportunities for the first
 * {@code countedWidth} of them (the models; the custom components have no count) by a packed long key,
 * in open addressing (linear probing, load ≤ 1/2) so a full recompute adds millions of credits
 * without boxing. Key 0 is reserved for empty slots (packed keys are never 0: the day carries an
 * offset).
 */
final class RollupSums {

    private final int width;
    private final int countedWidth;
    private long[] keys;
    private int[] slots;
    private int mask;
    private int size;
    private double[] credit;
    private double[] amount;
    private double[] opportunities;

    RollupSums(int width, int countedWidth) {
        this.width = width;
        this.countedWidth = countedWidth;
        keys = new long[1024];
        slots = new int[1024];
        mask = keys.length - 1;
        credit = new double[512 * width];
        amount = new double[512 * width];
        opportunities = new double[512 * countedWidth];
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
        if ((size + 1) * width > credit.length) {
            credit = Arrays.copyOf(credit, credit.length * 2);
            amount = Arrays.copyOf(amount, amount.length * 2);
            opportunities = Arrays.copyOf(opportunities, (credit.length / width) * countedWidth);
        }
        int index = size++;
        if (size * 2 > keys.length) {
            grow();
        }
        return index;
    }

    void add(int entry, int model, double c, double a, double o) {
        int i = entry * width + model;
        credit[i] += c;
        amount[i] += a;
        if (model < countedWidth) {
            opportunities[entry * countedWidth + model] += o;
        }
    }

    int size() {
        return size;
    }

    /** Visits every entry in insertion order; the arrays are views valid during the call only. */
    void forEach(Entry visitor) {
        long[] byIndex = new long[size];
        for (int s = 0; s < keys.length; s++) {
            if (keys[s] != 0) {
                byIndex[slots[s]] = keys[s];
            }
        }
        for (int i = 0; i < size; i++) {
            int from = i * width;
            int counted = i * countedWidth;
            visitor.accept(byIndex[i], Arrays.copyOfRange(credit, from, from + width),
                    Arrays.copyOfRange(amount, from, from + width),
                    Arrays.copyOfRange(opportunities, counted, counted + countedWidth));
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
