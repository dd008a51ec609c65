package io.closedloop.attribution.journey;

import io.closedloop.attribution.TouchType;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.Touch;
import io.closedloop.attribution.report.Dimension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A workspace's touches resolved to accounts, in memory for the reports computed on demand (issue 20): per account (in
 * code point order), its touches in journey order (time, then id by code point; a touch reached through several
 * identifiers of the account once), as primitive columns: the time and per dimension the id of its value in that
 * dimension's dictionary. An account's journey over a window is a range of its touches (two binary
 * searches), so a period's population costs no row read and no object per touch: about 32 bytes per touch are kept.
 */
public final class AccountTouches {

    private static final Dimension[] DIMENSIONS = Dimension.values();

    /** Touches {@code [from, to)} of account {@code account} (an index of {@link #account(int)}); empty when from == to. */
    public record Range(int account, int from, int to) {

        public boolean isEmpty() {
            return from == to;
        }

        public int size() {
            return to - from;
        }
    }

    private final long version;
    /** The moment it was read at (a PostgreSQL snapshot) and the workspace's erasures then: what a refresh starts from. */
    private final String moment;
    private final long erasures;
    private final String[] accounts;
    private final Map<String, Integer> indexOf;
    private final int[] offsets;
    private final long[] at;
    /** Per dimension (by ordinal), per touch: the id of its value. */
    private final int[][] keys;
    /** Per dimension, per id: the value ({@link Dimension#NO_VALUE} for none). */
    private final String[][] values;

    private AccountTouches(long version, String moment, long erasures, String[] accounts, int[] offsets, long[] at, int[][] keys,
                           String[][] values) {
        this.version = version;
        this.moment = moment;
        this.erasures = erasures;
        this.accounts = accounts;
        this.indexOf = new HashMap<>(2 * accounts.length);
        for (int a = 0; a < accounts.length; a++) {
            indexOf.put(accounts[a], a);
        }
        this.offsets = offsets;
        this.at = at;
        this.keys = keys;
        this.values = values;
    }

    /** The version of the touches and memberships this was read at. */
    public long version() {
        return version;
    }

    public String moment() {
        return moment;
    }

    public long erasures() {
        return erasures;
    }

    /**
     * This copy brought up to date: the accounts of {@code changed} as {@code fresh} has them (read at its version and
     * moment; an account of {@code changed} it lacks has no touches now), every other account as here. The dictionaries
     * grow from this copy's, so the other accounts' columns are copied as they are.
     */
    public AccountTouches refreshed(Set<String> changed, AccountTouches fresh) {
        if (changed.isEmpty()) {
            // Nothing of any account changed (touches of identifiers no account has yet): the same columns, shared.
            return new AccountTouches(fresh.version, fresh.moment, fresh.erasures, accounts, offsets, at, keys, values);
        }
        Builder out = new Builder(fresh.version, fresh.moment, fresh.erasures, this);
        int a = 0;
        int f = 0;
        while (a < accounts.length || f < fresh.accounts.length) {
            if (a < accounts.length && changed.contains(accounts[a])) {
                a++;
                continue;
            }
            boolean fromFresh = a == accounts.length
                    || f < fresh.accounts.length && Journey.compareByCodePoint(fresh.accounts[f], accounts[a]) < 0;
            if (fromFresh) {
                for (int t = fresh.offsets[f]; t < fresh.offsets[f + 1]; t++) {
                    // Ids that sort as the touches are ordered already (fixed-width hex), so the order stays.
                    out.add(fresh.accounts[f], Integer.toHexString(0x4000_0000 | t), fresh.at[t],
                            fresh.valueOf(Dimension.TOUCH_TYPE, t), fresh.valueOf(Dimension.CHANNEL, t),
                            fresh.valueOf(Dimension.SOURCE, t), fresh.valueOf(Dimension.MEDIUM, t),
                            fresh.valueOf(Dimension.CAMPAIGN, t), fresh.valueOf(Dimension.CONTENT, t));
                }
                f++;
            } else {
                out.copy(this, a);
                a++;
            }
        }
        return out.build();
    }

    /** Touch t's value in {@code dimension} ({@link Dimension#NO_VALUE} for none, which the builder keeps as such). */
    private String valueOf(Dimension dimension, int t) {
        return values[dimension.ordinal()][keys[dimension.ordinal()][t]];
    }

    /** The id of account number {@code account} (as ranges number them). */
    public String account(int account) {
        return accounts[account];
    }

    public int accountCount() {
        return accounts.length;
    }

    public int touchCount() {
        return at.length;
    }

    public long at(int touch) {
        return at[touch];
    }

    /** The id of the touch's value in {@code dimension} (see {@link #value}). */
    public int key(Dimension dimension, int touch) {
        return keys[dimension.ordinal()][touch];
    }

    /** The value of id {@code key} in {@code dimension}: the group key of a report grouped by it. */
    public String value(Dimension dimension, int key) {
        return values[dimension.ordinal()][key];
    }

    /** How many distinct values {@code dimension} has (ids are 0 .. this − 1). */
    public int valueCount(Dimension dimension) {
        return values[dimension.ordinal()].length;
    }

    /**
     * The touches of {@code accountId} with {@code from <= time <= to} (epoch ms); empty for an account with none, and for
     * a window that ends before it starts (a deal closed before its creation minus the lookback).
     */
    public Range range(String accountId, long from, long to) {
        return range(indexOf(accountId), from, to);
    }

    /** The number of account {@code accountId} here (as ranges number them), or -1 for none (no touches, or null). */
    public int indexOf(String accountId) {
        Integer account = accountId == null ? null : indexOf.get(accountId);
        return account == null ? -1 : account;
    }

    /** {@link #range(String, long, long)} of account number {@code account} (-1: none, an empty range). */
    public Range range(int account, long from, long to) {
        if (account < 0) {
            return new Range(0, 0, 0);
        }
        int first = firstAtOrAfter(account, from);
        int end = to == Long.MAX_VALUE ? offsets[account + 1] : firstAtOrAfter(account, to + 1);
        return new Range(account, first, Math.max(first, end));
    }

    private int firstAtOrAfter(int account, long millis) {
        int lo = offsets[account];
        int hi = offsets[account + 1];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at[mid] < millis) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The population of the data-driven models (DESIGN §4 "Population"): the converting journeys, then the lost ones,
     * then per account not in scope ({@code inScope[a]} false, a an account number) in account order its touches in
     * [from, to) as a non-converting path; empty ranges and paths are left out.
     */
    public Population population(List<Range> converting, List<Range> lost, boolean[] inScope, long from, long to) {
        PathPopulation.Builder population = PathPopulation.builder(Arrays.asList(values[Dimension.CHANNEL.ordinal()]));
        int[] channels = keys[Dimension.CHANNEL.ordinal()];
        List<Range> all = new ArrayList<>(converting);
        lost.stream().filter(r -> !r.isEmpty()).forEach(all::add);
        for (int a = 0; a < accounts.length; a++) {
            if (inScope[a]) {
                continue;
            }
            Range outside = new Range(a, firstAtOrAfter(a, from), firstAtOrAfter(a, to));
            if (!outside.isEmpty()) {
                all.add(outside);
            }
        }
        int[] accountOf = new int[all.size()];
        for (int j = 0; j < accountOf.length; j++) {
            Range r = all.get(j);
            population.add(j < converting.size(), channels, r.from(), r.to());
            accountOf[j] = r.account();
        }
        return new Population(population.build(), accountOf);
    }

    /** A population and each journey's account (its number here): the unit a bootstrap resample draws (RefitIntervals). */
    public record Population(PathPopulation paths, int[] accountOf) {
    }

    /**
     * The touches of {@code range} as the rule-based models read them, in journey order: time, channel and whether a form
     * fill (a touch of type FORM_FILL). Their ids are their positions in the range, written so that code point order is
     * range order: the models read ids only to order touches of the same time, which the range already is.
     */
    public List<Touch> touches(Range range) {
        int[] channels = keys[Dimension.CHANNEL.ordinal()];
        int[] types = keys[Dimension.TOUCH_TYPE.ordinal()];
        String[] channelNames = values[Dimension.CHANNEL.ordinal()];
        String[] typeNames = values[Dimension.TOUCH_TYPE.ordinal()];
        List<Touch> out = new ArrayList<>(range.size());
        for (int t = range.from(); t < range.to(); t++) {
            // Fixed-width hex of a number with its top bit set: lexicographic order is numeric order.
            String id = Integer.toHexString(0x4000_0000 | (t - range.from()));
            out.add(new Touch(id, at[t], channelNames[channels[t]], TouchType.isFormFill(typeNames[types[t]])));
        }
        return out;
    }

    /** What this holds, in bytes (the bound on what is kept counts it). */
    public long bytes() {
        long bytes = 64L + 8L * accounts.length + 4L * offsets.length + 8L * at.length + 4L * keys.length * at.length;
        for (String account : accounts) {
            bytes += 48 + 2L * account.length() + 48; // the string and its entry in indexOf
        }
        for (String[] dictionary : values) {
            for (String value : dictionary) {
                bytes += 56 + 2L * value.length();
            }
        }
        return bytes;
    }

    public static Builder builder(long version, String moment, long erasures) {
        return new Builder(version, moment, erasures, null);
    }

    /**
     * Collects rows of (account, touch) in account order (code points), each account's rows in any order; a touch may
     * come more than once for one account (several of its identifiers), and is kept once.
     */
    public static final class Builder {

        private record Row(String id, long at, String[] values) {
        }

        private final long version;
        private final String moment;
        private final long erasures;
        private final List<String> accounts = new ArrayList<>();
        private int[] offsets = new int[1024];
        private long[] at = new long[1024];
        private final int[][] keys = new int[DIMENSIONS.length][1024];
        private final List<Map<String, Integer>> ids = new ArrayList<>();
        private final List<List<String>> values = new ArrayList<>();
        private int count;
        private final List<Row> pending = new ArrayList<>();

        /** @param seed a copy whose dictionaries this one starts from (its accounts are then copied as they are), or null */
        private Builder(long version, String moment, long erasures, AccountTouches seed) {
            this.version = version;
            this.moment = moment;
            this.erasures = erasures;
            for (int d = 0; d < DIMENSIONS.length; d++) {
                ids.add(new HashMap<>());
                values.add(new ArrayList<>());
                if (seed != null) {
                    for (String value : seed.values[d]) {
                        ids.get(d).put(value, values.get(d).size());
                        values.get(d).add(value);
                    }
                }
            }
        }

        /** Account {@code a} of {@code seed} (the copy this builder's dictionaries start from), its columns as they are. */
        private void copy(AccountTouches seed, int a) {
            String account = seed.accounts[a];
            String current = accounts.isEmpty() ? null : accounts.get(accounts.size() - 1);
            if (current != null && Journey.compareByCodePoint(current, account) >= 0) {
                throw new IllegalArgumentException("accounts out of order: " + account + " after " + current);
            }
            flush();
            accounts.add(account);
            for (int t = seed.offsets[a]; t < seed.offsets[a + 1]; t++) {
                grow();
                at[count] = seed.at[t];
                for (int d = 0; d < DIMENSIONS.length; d++) {
                    keys[d][count] = seed.keys[d][t];
                }
                count++;
            }
            offsets[accounts.size()] = count;
        }

        /** One touch of {@code account} (null type or values: none; the channel is never null in the touch table). */
        public Builder add(String account, String touchId, long at, String type, String channel, String source, String medium,
                           String campaign, String content) {
            String current = accounts.isEmpty() ? null : accounts.get(accounts.size() - 1);
            if (!account.equals(current)) {
                if (current != null && Journey.compareByCodePoint(current, account) > 0) {
                    throw new IllegalArgumentException("accounts out of order: " + account + " after " + current);
                }
                flush();
                accounts.add(account);
            }
            String[] row = new String[DIMENSIONS.length];
            row[Dimension.CHANNEL.ordinal()] = channel;
            row[Dimension.SOURCE.ordinal()] = source;
            row[Dimension.MEDIUM.ordinal()] = medium;
            row[Dimension.CAMPAIGN.ordinal()] = campaign;
            row[Dimension.CONTENT.ordinal()] = content;
            row[Dimension.TOUCH_TYPE.ordinal()] = type;
            pending.add(new Row(touchId, at, row));
            return this;
        }

        /** Ends the current account: its touches sorted into journey order, each id once. */
        private void flush() {
            if (accounts.isEmpty()) {
                return;
            }
            pending.sort((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at()) : Journey.compareByCodePoint(a.id(), b.id()));
            String last = null;
            for (Row r : pending) {
                if (r.id().equals(last)) {
                    continue;
                }
                last = r.id();
                grow();
                at[count] = r.at();
                for (int d = 0; d < DIMENSIONS.length; d++) {
                    keys[d][count] = id(d, r.values()[d]);
                }
                count++;
            }
            pending.clear();
            offsets[accounts.size()] = count;
        }

        private int id(int dimension, String value) {
            String key = value == null ? Dimension.NO_VALUE : value;
            Integer id = ids.get(dimension).get(key);
            if (id == null) {
                id = values.get(dimension).size();
                ids.get(dimension).put(key, id);
                values.get(dimension).add(key);
            }
            return id;
        }

        private void grow() {
            if (count == at.length) {
                int size = at.length * 2;
                at = Arrays.copyOf(at, size);
                for (int d = 0; d < DIMENSIONS.length; d++) {
                    keys[d] = Arrays.copyOf(keys[d], size);
                }
            }
            if (accounts.size() + 1 >= offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
        }

        public AccountTouches build() {
            flush();
            int[][] trimmed = new int[DIMENSIONS.length][];
            String[][] dictionaries = new String[DIMENSIONS.length][];
            for (int d = 0; d < DIMENSIONS.length; d++) {
                trimmed[d] = Arrays.copyOf(keys[d], count);
                dictionaries[d] = values.get(d).toArray(new String[0]);
            }
            return new AccountTouches(version, moment, erasures, accounts.toArray(new String[0]), Arrays.copyOf(offsets, accounts.size() + 1),
                    Arrays.copyOf(at, count), trimmed, dictionaries);
        }
    }
}
