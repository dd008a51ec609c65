package io.closedloop.attribution.report;

import io.closedloop.plumbing.graphql.Money;
import io.closedloop.plumbing.graphql.PageInfo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntBinaryOperator;
import java.util.function.IntFunction;

/**
 * Relay-style pages of a list (README "Paging"). A cursor holds the sort key of the last item of a page, never a position,
 * so a page continues after that item wherever it now stands: items added while a client pages are never repeated, and no
 * item that was there is skipped, unless its own sort key changed in between.
 */
public final class Paging {

    /** Items one page returns by default and at most. */
    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 1000;

    private static final Instant FIRST_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST_INSTANT = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Paging() {
    }

    /** One page of a list: its items with their cursors. */
    public record Page<T>(List<T> items, List<String> cursors, PageInfo pageInfo, int totalCount) {

        /** The page's edges, each built from an item's cursor and the item. */
        public <E> List<E> edges(BiFunction<String, T, E> edge) {
            List<E> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                out.add(edge.apply(cursors.get(i), items.get(i)));
            }
            return out;
        }
    }

    /** How a list is sorted: an item's sort key (strings, compared by {@code order}); the last part should be unique. */
    public record Order<T>(Function<T, List<String>> key, Comparator<List<String>> order, Comparator<T> comparator) {

        /** An order whose items are compared through their sort keys. */
        public Order(Function<T, List<String>> key, Comparator<List<String>> order) {
            this(key, order, Comparator.comparing(key, order));
        }
    }

    /** Largest amount first, then by key (nulls last): report rows and drill-downs; a cursor is (amount, key). */
    public static <T> Order<T> byAmountThenKey(Function<T, Money> amount, Function<T, String> key) {
        Comparator<List<String>> byAmount = Comparator.comparing((List<String> k) -> new BigDecimal(k.get(0))).reversed();
        // The same order on the items themselves: a report of 20,000 keys is sorted without writing and parsing its amounts.
        Comparator<T> items = Comparator.comparing((T item) -> amount.apply(item).value()).reversed()
                .thenComparing(key, Comparator.nullsLast(Comparator.naturalOrder()));
        return new Order<>(item -> Arrays.asList(amount.apply(item).toString(), key.apply(item)),
                byAmount.thenComparing(k -> k.get(1), Comparator.nullsLast(Comparator.naturalOrder())), items);
    }

    /** Refuses a cursor that does not decode into a key of {@code order} ({@code field} names the argument). */
    public static void check(String field, String after, Order<?> order) {
        if (after == null) {
            return;
        }
        List<String> key = decode(field, after);
        try {
            order.order().compare(key, key);
        } catch (RuntimeException e) {
            throw notACursor(field, after);
        }
    }

    /** An instant from a cursor, within the years PostgreSQL and the JDK both take (1 to 9999). */
    public static Instant instant(String field, String after, String text) {
        try {
            Instant at = Instant.parse(text);
            if (at.isBefore(FIRST_INSTANT) || at.isAfter(LAST_INSTANT)) {
                throw notACursor(field, after);
            }
            return at;
        } catch (RuntimeException e) {
            throw notACursor(field, after);
        }
    }

    /**
     * The page of {@code sorted} (sorted by {@code order}) after the cursor {@code after} (null: from the start), at most
     * {@code first} items. {@code field} names the argument in errors ("performance.after").
     */
    public static <T> Page<T> page(String field, List<T> sorted, String after, int first, Order<T> order) {
        check(field, after, order);
        List<String> from = after == null ? null : decode(field, after);
        List<T> items = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        int preceding = 0;
        boolean more = false;
        for (T item : sorted) {
            List<String> key = order.key().apply(item);
            if (from != null && order.order().compare(key, from) <= 0) {
                preceding++;
            } else if (items.size() == first) {
                more = true;
                break;
            } else {
                items.add(item);
                cursors.add(encode(key));
            }
        }
        return new Page<>(items, cursors, PageInfo.of(cursors, more, preceding > 0), sorted.size());
    }

    /**
     * The page after {@code after} of the items {@code 0 .. units.length - 1} in {@link #byAmountThenKey}'s order, their
     * amounts in minor units ({@code units}, all at {@code digits} decimals) and their keys ({@code keys}), without sorting
     * them all: a report of 20,000 keys makes only its page's items ({@code item}). {@code field} names the argument in
     * errors.
     */
    public static <T> Page<T> pageByAmount(String field, String after, int first, long[] units, int digits, String[] keys,
                                           IntFunction<T> item) {
        int n = units.length;
        Comparator<String> byKey = Comparator.nullsLast(Comparator.naturalOrder());
        IntBinaryOperator order = (i, j) -> units[i] != units[j] ? Long.compare(units[j], units[i]) : byKey.compare(keys[i], keys[j]);
        // The cursor's amount c in units: an item precedes (or is) the cursor when its units are above c, or equal and its key
        // is not after the cursor's.
        long floor = Long.MIN_VALUE;
        boolean whole = false;
        String cursorKey = null;
        if (after != null) {
            List<String> from = decode(field, after);
            BigDecimal c;
            try {
                c = new BigDecimal(from.get(0)).scaleByPowerOfTen(digits);
            } catch (RuntimeException e) {
                throw notACursor(field, after);
            }
            // Compared before any rounding: a cursor's exponent may be in the millions (1E+300000000), and rounding such a
            // number to whole units would build it digit by digit.
            if (c.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) {
                floor = Long.MAX_VALUE;
            } else if (c.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) <= 0) {
                floor = Long.MIN_VALUE;
            } else if (c.abs().compareTo(BigDecimal.ONE) < 0) {
                floor = c.signum() < 0 ? -1 : 0;
                whole = c.signum() == 0;
            } else {
                // within ±2^63 and at least 1 in size: the digits are no more than the cursor's text
                BigDecimal down = c.setScale(0, RoundingMode.FLOOR);
                floor = down.longValueExact();
                whole = c.compareTo(down) == 0;
            }
            cursorKey = from.size() > 1 ? from.get(1) : null;
        }
        // The best 'first' items after the cursor, the worst of them first out of the queue.
        PriorityQueue<Integer> best = new PriorityQueue<>(first + 1, (i, j) -> order.applyAsInt(j, i));
        int following = 0;
        int preceding = 0;
        for (int i = 0; i < n; i++) {
            if (after != null && (units[i] > floor || whole && units[i] == floor && byKey.compare(keys[i], cursorKey) <= 0)) {
                preceding++;
                continue;
            }
            following++;
            if (best.size() < first) {
                best.add(i);
            } else if (order.applyAsInt(i, best.peek()) < 0) {
                best.poll();
                best.add(i);
            }
        }
        List<Integer> page = new ArrayList<>(best);
        page.sort((i, j) -> order.applyAsInt(i, j));
        int size = page.size();
        List<T> items = new ArrayList<>(size);
        List<String> cursors = new ArrayList<>(size);
        for (int i : page) {
            items.add(item.apply(i));
            cursors.add(encode(Arrays.asList(BigDecimal.valueOf(units[i], digits).toPlainString(), keys[i])));
        }
        return new Page<>(items, cursors, PageInfo.of(cursors, following > size, preceding > 0), n);
    }

    /** The page size asked for: {@code first} or the default, checked against the maximum. */
    public static int first(String field, Integer first) {
        int n = first == null ? DEFAULT_PAGE : first;
        if (n < 1 || n > MAX_PAGE) {
            throw new IllegalArgumentException(field + ": must be between 1 and " + MAX_PAGE + ", was " + n);
        }
        return n;
    }

    public static String encode(List<String> key) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        StringBuilder out = new StringBuilder();
        for (String part : key) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            // "~" stands for null, which base64 never produces.
            out.append(part == null ? "~" : base64.encodeToString(part.getBytes(StandardCharsets.UTF_8)));
        }
        return out.toString();
    }

    public static List<String> decode(String field, String cursor) {
        try {
            List<String> key = new ArrayList<>();
            for (String part : cursor.split("\\.", -1)) {
                key.add(part.equals("~") ? null : new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw notACursor(field, cursor);
        }
    }

    public static IllegalArgumentException notACursor(String field, String cursor) {
        return new IllegalArgumentException(field + ": '" + cursor + "' is not a cursor this API returned");
    }
}
