package io.closedloop.attribution.model;

/**
 * A small open-addressing hash map from long to long (linear probing, power-of-two capacity,
 * load ≤ 1/2), so the data-driven models count millions of transitions without boxing.
 * Key 0 marks an empty slot and must not be used as a key. Iteration (by slot) depends on the
 * insertion sequence, so callers that need a canonical order sort what they read.
 */
final class LongLongMap {

    private long[] keys;
    private long[] values;
    private int size;
    private int mask;

    LongLongMap(int expectedSize) {
        int capacity = Integer.highestOneBit(Math.max(8, expectedSize * 2) - 1) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    long get(long key, long missing) {
        int slot = find(key);
        return keys[slot] == 0 ? missing : values[slot];
    }

    /** Returns the value of {@code key}, first storing {@code value} if the key is absent. */
    long putIfAbsent(long key, long value) {
        int slot = find(key);
        if (keys[slot] != 0) {
            return values[slot];
        }
        insert(slot, key, value);
        return value;
    }

    void addTo(long key, long delta) {
        int slot = find(key);
        if (keys[slot] != 0) {
            values[slot] += delta;
        } else {
            insert(slot, key, delta);
        }
    }

    /** Slot-based iteration: slots {@code 0..capacity()-1}, empty where {@link #keyAt} is 0. */
    int capacity() {
        return keys.length;
    }

    long keyAt(int slot) {
        return keys[slot];
    }

    long valueAt(int slot) {
        return values[slot];
    }

    private int find(long key) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0 is reserved for empty slots");
        }
        int slot = hash(key) & mask;
        while (keys[slot] != 0 && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void insert(int slot, long key, long value) {
        keys[slot] = key;
        values[slot] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int slot = hash(oldKeys[i]) & mask;
                while (keys[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                values[slot] = oldValues[i];
            }
        }
    }

    /** The MurmurHash3 64-bit finalizer: spreads small structured keys over all slots. */
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
