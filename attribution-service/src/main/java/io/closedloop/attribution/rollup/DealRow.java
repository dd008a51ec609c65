package io.closedloop.attribution.rollup;

import java.time.LocalDate;
import java.util.Comparator;

/**
 * One row of {@code won_deal_rollup}: a won deal (closed on {@code day}) under one dimension, with
 * its days from the revenue journey's first touch to the close and, per key of its journey, the
 * standard models giving the key credit &gt; 0 (bit i = {@link CreditRollup#MODELS} element i):
 * entries {@code <key length>:<key><mask>;} in journey order. Length-prefixed, so a key may hold any
 * character (a campaign named with a separator cannot break the row or inject keys). Rows are counted
 * like the rollup sums (+1 added, −1 subtracted); a deal is present where its rows' counts sum to 1.
 */
public record DealRow(String dimension, LocalDate day, String opportunityId, double daysToConversion, String profile,
                      int count) {

    public static final Comparator<DealRow> ORDER = Comparator.comparing(DealRow::dimension).thenComparing(DealRow::day)
            .thenComparing(DealRow::opportunityId).thenComparingDouble(DealRow::daysToConversion)
            .thenComparing(DealRow::profile);

    DealRow withCount(int count) {
        return new DealRow(dimension, day, opportunityId, daysToConversion, profile, count);
    }

    /** Appends one entry of a profile: {@code key} and the mask of the models crediting it. */
    static void appendEntry(StringBuilder profile, String key, int mask) {
        profile.append(key.length()).append(':').append(key).append(mask).append(';');
    }

    /** Calls {@code visitor} with each key the model at {@code modelIndex} credits. */
    public static void forEachCreditedKey(String profile, int modelIndex, java.util.function.Consumer<String> visitor) {
        forEachKeyMask(profile, (key, mask) -> {
            if ((mask & (1 << modelIndex)) != 0) {
                visitor.accept(key);
            }
        });
    }

    /** Calls {@code visitor} with each key of a profile and the mask of the models crediting it. */
    public static void forEachKeyMask(String profile, java.util.function.ObjIntConsumer<String> visitor) {
        int i = 0;
        while (i < profile.length()) {
            int colon = profile.indexOf(':', i);
            int keyStart = colon + 1;
            int keyEnd = keyStart + Integer.parseInt(profile, i, colon, 10);
            int end = profile.indexOf(';', keyEnd);
            visitor.accept(profile.substring(keyStart, keyEnd), Integer.parseInt(profile, keyEnd, end, 10));
            i = end + 1;
        }
    }
}
