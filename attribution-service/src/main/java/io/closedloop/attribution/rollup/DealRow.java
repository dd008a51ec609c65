package io.closedloop.attribution.rollup;

import java.time.LocalDate;
import java.util.Comparator;

/**
 * One row of {@code won_deal_rollup}: a won deal (closed on {@code day}) under one dimension, with
 * its days from the revenue journey's first touch to the close and, per key of its journey, the
 * standard models giving the key credit &gt; 0 (bit i = {@link CreditRollup#MODELS} element i):
 * {@code key 0x1f mask} entries joined by 0x1e, in journey order. Rows are counted like the
 * rollup sums (+1 added, −1 subtracted); a deal is present where its rows' counts sum to 1.
 */
public record DealRow(String dimension, LocalDate day, String opportunityId, double daysToConversion, String profile,
                      int count) {

    public static final char ENTRY_SEPARATOR = '\u001e';
    public static final char MASK_SEPARATOR = '\u001f';

    public static final Comparator<DealRow> ORDER = Comparator.comparing(DealRow::dimension).thenComparing(DealRow::day)
            .thenComparing(DealRow::opportunityId).thenComparingDouble(DealRow::daysToConversion)
            .thenComparing(DealRow::profile);

    DealRow withCount(int count) {
        return new DealRow(dimension, day, opportunityId, daysToConversion, profile, count);
    }

    /** Calls {@code visitor} with each key the model at {@code modelIndex} credits. */
    public static void forEachCreditedKey(String profile, int modelIndex, java.util.function.Consumer<String> visitor) {
        if (profile.isEmpty()) {
            return;
        }
        int start = 0;
        while (start <= profile.length()) {
            int end = profile.indexOf(ENTRY_SEPARATOR, start);
            if (end < 0) {
                end = profile.length();
            }
            int mask = profile.lastIndexOf(MASK_SEPARATOR, end - 1);
            if ((Integer.parseInt(profile, mask + 1, end, 10) & (1 << modelIndex)) != 0) {
                visitor.accept(profile.substring(start, mask));
            }
            start = end + 1;
        }
    }
}
