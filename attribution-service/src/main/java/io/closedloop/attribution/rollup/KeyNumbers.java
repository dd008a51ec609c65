package io.closedloop.attribution.rollup;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of one dimension numbered once (issue 20): every structure a report reads of that dimension (each basis's and
 * model's running sums, the won deals, the spend) names its keys by these numbers, so a report meets them in arrays indexed
 * by number rather than in maps by string, and each key's text is held once. Numbers are handed out on first sight and never
 * change or go away, so a structure built later only adds numbers above those the earlier ones use.
 */
public final class KeyNumbers {

    private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
    private volatile String[] names = new String[64];
    private volatile int size;

    /** The key's number, given now if it has none yet. */
    public int number(String key) {
        Integer known = numbers.get(key);
        return known != null ? known : add(key);
    }

    private synchronized int add(String key) {
        Integer known = numbers.get(key);
        if (known != null) {
            return known;
        }
        int n = size;
        String[] all = n == names.length ? Arrays.copyOf(names, 2 * n) : names;
        all[n] = key;
        names = all;
        numbers.put(key, n);
        size = n + 1;
        return n;
    }

    /** The key numbered {@code number}. */
    public String name(int number) {
        return names[number];
    }

    /** How many keys have a number: every number in use is below it. */
    public int size() {
        return size;
    }

    /** The heap this holds, roughly (for a cache's weigher). */
    public long bytes() {
        long total = 64L + 8L * names.length;
        for (int k = 0; k < size; k++) {
            total += 96L + 2L * names[k].length();
        }
        return total;
    }
}
