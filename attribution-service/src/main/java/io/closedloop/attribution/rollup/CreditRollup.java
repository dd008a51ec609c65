package io.closedloop.attribution.rollup;

import io.closedloop.attribution.journey.AccountState;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.model.RuleBasedModel;
import io.closedloop.attribution.model.Touch;
import io.closedloop.attribution.report.Dimension;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;


/**
 * Adds accounts' journeys to the rollup sums of every standard model (pure Java, no framework):
 * for each opportunity, its pipeline journey (day = creation) and, when won, its revenue journey
 * (day = close), credited under every rule-based model but custom, summed by dimension value.
 * Per (basis, day) it also counts the attributed opportunities (with their amount) and the
 * unattributed ones. An account added with sign −1 is subtracted, so the incremental path adds
 * the accounts' state before a change with −1 and after it with +1 and writes the difference.
 *
 * <p>For the performance report's per-deal figures it also keeps: the revenue journeys of each
 * account's first won deal once more under the pseudo-basis {@link RollupRow#NEW_CUSTOMER}
 * (credit to new customers, for CAC), and one {@link DealRow} per won deal and dimension (days to
 * conversion and which keys each model credits, for the median), counted by sign like the sums.
 */
public final class CreditRollup {

    /**
     * The materialized models, in a fixed order: element i of a rollup row's arrays is model i
     * (SQL index i + 1). Adding a model needs a migration of the arrays and a full recompute.
     */
    public static final List<ModelName> MODELS = java.util.Arrays.stream(ModelName.values())
            .filter(ModelName::isStandard).toList();
    /**
     * After the models, the custom model's components (RollupColumns weighs them): elements
     * MODELS.size() + c, c = 0..3 the FT, LC, OC and CW milestones of journeys with middle touches
     * (1 on each milestone's touch, coinciding milestones each count), 4 the middle (1/m on each of
     * the m middle touches), 5..8 the milestones of journeys without a middle touch.
     */
    public static final int COMPONENTS = 9;
    /** LINEAR's element: it credits every touch, so its counts tell which keys a journey has. */
    public static final int LINEAR = MODELS.indexOf(ModelName.LINEAR);
    /** Elements of a rollup row's credit and amount arrays: the models, then the custom components (opportunities: the models only). */
    public static final int WIDTH = MODELS.size() + COMPONENTS;
    private static final Dimension[] DIMENSIONS = Dimension.values();
    private static final int COUNTS_DIMENSION = 7;
    private static final long DAY_OFFSET = 1L << 23;
    private static final long DAY_MILLIS = 86_400_000L;

    private final Duration lookback;
    private final RuleBasedModel[] models;
    private RollupSums sums = new RollupSums(MODELS.size(), COMPONENTS);
    private final Map<String, Integer> keyIds = new HashMap<>();
    private Map<DealRow, int[]> deals = new HashMap<>();
    private final List<String> keyNames = new ArrayList<>();
    private final int attributedKey;
    private final int unattributedKey;

    /** The workspace's parameters the rollup is computed with. */
    public CreditRollup(int lookbackDays, double halfLifeDays) {
        this.lookback = Duration.ofDays(lookbackDays);
        this.models = new RuleBasedModel[MODELS.size()];
        for (int m = 0; m < models.length; m++) {
            models[m] = MODELS.get(m).ruleBased(halfLifeDays, null);
        }
        attributedKey = intern(RollupRow.ATTRIBUTED);
        unattributedKey = intern(RollupRow.UNATTRIBUTED);
    }

    /** Adds (sign 1) or subtracts (sign −1) the journeys of one account's opportunities. */
    public void add(AccountState account, double sign) {
        if (account.opportunities().isEmpty()) {
            return;
        }
        List<TouchRow> touches = new ArrayList<>(account.touches());
        // Sorted once per account, as the models order a journey (time to the millisecond, then id), so each journey's
        // own sort finds them in order.
        touches.sort(Comparator.comparingLong((TouchRow t) -> t.occurredAt().toEpochMilli())
                .thenComparing(TouchRow::id, Journey::compareByCodePoint));
        int n = touches.size();
        List<Touch> sorted = new ArrayList<>(n);
        Map<Touch, Integer> indexOf = new IdentityHashMap<>(n * 2);
        int[] values = new int[n * DIMENSIONS.length];
        for (int i = 0; i < n; i++) {
            TouchRow t = touches.get(i);
            Touch touch = t.modelTouch();
            sorted.add(touch);
            indexOf.put(touch, i);
            for (int d = 0; d < DIMENSIONS.length; d++) {
                values[i * DIMENSIONS.length + d] = intern(t.key(DIMENSIONS[d]));
            }
        }
        Opportunity firstWon = account.accountId() == null ? null : firstWon(account);
        for (Opportunity o : account.opportunities()) {
            addJourney(o, Basis.PIPELINE, false, sorted, indexOf, values, sign);
            if (o.isWon()) {
                addJourney(o, Basis.REVENUE, o == firstWon, sorted, indexOf, values, sign);
            }
        }
    }

    /** The account's first won deal (earliest close, then id), as ReportRepository.firstWonDeals picks it. */
    private static Opportunity firstWon(AccountState account) {
        Opportunity first = null;
        for (Opportunity o : account.opportunities()) {
            if (o.isWon() && (first == null || o.closesBefore(first))) {
                first = o;
            }
        }
        return first;
    }

    private void addJourney(Opportunity o, Basis basis, boolean newCustomer, List<Touch> touches,
                            Map<Touch, Integer> indexOf, int[] values, double sign) {
        Journey journey = o.journey(basis, lookback, touches);
        double amount = o.amountOrZero();
        long day = Math.floorDiv((basis == Basis.PIPELINE ? o.createdAt() : o.closedAt()).toEpochMilli(), DAY_MILLIS);
        int b = basis.ordinal();
        int counts = sums.entry(key(day, b, COUNTS_DIMENSION, journey.isUnattributed() ? unattributedKey : attributedKey));
        int newCounts = newCustomer ? sums.entry(key(day, NEW_CUSTOMER_BASIS, COUNTS_DIMENSION,
                journey.isUnattributed() ? unattributedKey : attributedKey)) : -1;
        // The counts carry the deals' amounts, the unattributed ones' too: attributed + unattributed = the scope's amount.
        for (int m = 0; m < models.length; m++) {
            sums.add(counts, m, sign, sign * amount, sign);
            if (newCustomer) {
                sums.add(newCounts, m, sign, sign * amount, sign);
            }
        }
        if (journey.isUnattributed()) {
            return;
        }
        int size = journey.size();
        int[] touchIndex = new int[size];
        for (int i = 0; i < size; i++) {
            touchIndex[i] = indexOf.get(journey.touch(i));
        }
        // Per dimension: each journey touch's slot among the journey's distinct values (few), reused by every model.
        int[][] slotOf = new int[DIMENSIONS.length][size];
        int[][] distinct = new int[DIMENSIONS.length][];
        int[][] distinctNew = newCustomer ? new int[DIMENSIONS.length][] : null;
        int[][] keyIdsOf = basis == Basis.REVENUE ? new int[DIMENSIONS.length][] : null;
        int[][] masks = basis == Basis.REVENUE ? new int[DIMENSIONS.length][] : null;
        int[] distinctCount = new int[DIMENSIONS.length];
        for (int d = 0; d < DIMENSIONS.length; d++) {
            int[] keys = new int[size];
            int count = 0;
            for (int i = 0; i < size; i++) {
                int value = values[touchIndex[i] * DIMENSIONS.length + d];
                int slot = 0;
                while (slot < count && keys[slot] != value) {
                    slot++;
                }
                if (slot == count) {
                    keys[count++] = value;
                }
                slotOf[d][i] = slot;
            }
            distinct[d] = keys;
            distinctCount[d] = count;
            if (keyIdsOf != null) {
                keyIdsOf[d] = java.util.Arrays.copyOf(keys, count);
                masks[d] = new int[count];
            }
            if (newCustomer) {
                distinctNew[d] = new int[count];
                for (int slot = 0; slot < count; slot++) {
                    distinctNew[d][slot] = sums.entry(key(day, NEW_CUSTOMER_BASIS, d, keys[slot]));
                }
            }
            for (int slot = 0; slot < count; slot++) {
                keys[slot] = sums.entry(key(day, b, d, keys[slot]));
            }
        }
        double[] scratch = new double[size];
        for (int m = 0; m < models.length; m++) {
            double[] credit = models[m].credit(journey);
            for (int d = 0; d < DIMENSIONS.length; d++) {
                int count = distinctCount[d];
                java.util.Arrays.fill(scratch, 0, count, 0);
                int[] slots = slotOf[d];
                for (int i = 0; i < size; i++) {
                    scratch[slots[i]] += credit[i];
                }
                for (int s = 0; s < count; s++) {
                    double c = scratch[s];
                    sums.add(distinct[d][s], m, sign * c, sign * c * amount, c > 0 ? sign : 0);
                    if (newCustomer) {
                        sums.add(distinctNew[d][s], m, sign * c, sign * c * amount, c > 0 ? sign : 0);
                    }
                    if (masks != null && c > 0) {
                        masks[d][s] |= 1 << m;
                    }
                }
            }
        }
        addComponents(journey, slotOf, distinct, distinctNew, distinctCount, sign, amount);
        if (masks != null) {
            // The same days as PerformanceReports computes on demand: close minus the journey's first touch.
            double days = (o.closedAt().toEpochMilli() - journey.touch(0).epochMillis()) / (double) DAY_MILLIS;
            for (int d = 0; d < DIMENSIONS.length; d++) {
                StringBuilder profile = new StringBuilder();
                for (int s = 0; s < distinctCount[d]; s++) {
                    DealRow.appendEntry(profile, keyNames.get(keyIdsOf[d][s]), masks[d][s]);
                }
                DealRow deal = new DealRow(DIMENSION_NAMES[d], LocalDate.ofEpochDay(day), o.id(), days, profile.toString(), 0);
                deals.computeIfAbsent(deal, k -> new int[1])[0] += (int) sign;
            }
        }
    }

    /** The custom model's components of one attributed journey, by dimension value (see {@link #COMPONENTS}). */
    private void addComponents(Journey journey, int[][] slotOf, int[][] distinct, int[][] distinctNew, int[] distinctCount,
                               double sign, double amount) {
        int size = journey.size();
        int ft = journey.firstTouchIndex();
        int cw = journey.closedWonIndex();
        int[] milestones = {ft, journey.leadCreationIndex(), journey.opportunityCreationIndex(), cw};
        boolean[] named = new boolean[size];
        for (int position : milestones) {
            named[position] = true;
        }
        int middle = 0;
        for (int i = ft + 1; i < cw; i++) {
            middle += named[i] ? 0 : 1;
        }
        int first = MODELS.size() + (middle > 0 ? 0 : 5);
        double[] scratch = new double[size];
        for (int d = 0; d < DIMENSIONS.length; d++) {
            int[] slots = slotOf[d];
            for (int r = 0; r < milestones.length; r++) {
                int slot = slots[milestones[r]];
                addComponent(distinct[d][slot], distinctNew == null ? -1 : distinctNew[d][slot], first + r, 1, sign, amount);
            }
            if (middle > 0) {
                java.util.Arrays.fill(scratch, 0, distinctCount[d], 0);
                for (int i = ft + 1; i < cw; i++) {
                    if (!named[i]) {
                        scratch[slots[i]] += 1.0 / middle;
                    }
                }
                for (int slot = 0; slot < distinctCount[d]; slot++) {
                    if (scratch[slot] > 0) {
                        addComponent(distinct[d][slot], distinctNew == null ? -1 : distinctNew[d][slot], MODELS.size() + 4,
                                scratch[slot], sign, amount);
                    }
                }
            }
        }
    }

    private void addComponent(int entry, int newCustomerEntry, int element, double value, double sign, double amount) {
        sums.add(entry, element, sign * value, sign * value * amount, sign);
        if (newCustomerEntry >= 0) {
            sums.add(newCustomerEntry, element, sign * value, sign * value * amount, sign);
        }
    }

    /**
     * About the bytes the sums and won deals will take once the next few entries are added (the sums' arrays grow by
     * doubling; each deal row with its key and profile strings counted at about 200 bytes): a full recompute writes its
     * sums out and starts over ({@link #clear}) above a bound.
     */
    public long bytesSoon() {
        return sums.bytesSoon() + 200L * deals.size();
    }

    /** Whether nothing was added since it was made or cleared. */
    public boolean isEmpty() {
        return sums.size() == 0 && deals.isEmpty();
    }

    /**
     * Forgets the sums and won deals added so far (the dimension values' numbering stays): what was written of them before
     * and what is added after are parts of one generation, which readers add up.
     */
    public void clear() {
        sums = new RollupSums(MODELS.size(), COMPONENTS);
        deals = new HashMap<>();
    }

    /** The won deals' rows (count ≠ 0), for {@code won_deal_rollup}. */
    public void forEachDeal(java.util.function.Consumer<DealRow> visitor) {
        deals.forEach((deal, count) -> {
            if (count[0] != 0) {
                visitor.accept(deal.withCount(count[0]));
            }
        });
    }

    /** The won deals' rows in a fixed order (every writer upserts in it), count ≠ 0. */
    public List<DealRow> dealRows() {
        List<DealRow> rows = new ArrayList<>();
        forEachDeal(rows::add);
        rows.sort(DealRow.ORDER);
        return rows;
    }

    /** The rows, in {@link #ORDER} (basis, dimension, day, key), without entries that are all zero. */
    public List<RollupRow> rows() {
        List<RollupRow> rows = new ArrayList<>(sums.size());
        forEachRow(rows::add);
        rows.sort(ORDER);
        return rows;
    }

    /** Visits the rows in no particular order, without entries that are all zero. */
    public void forEachRow(java.util.function.Consumer<RollupRow> visitor) {
        sums.forEach((key, credit, amount, opportunities) -> {
            boolean zero = true;
            for (int m = 0; m < credit.length; m++) {
                zero &= Math.abs(credit[m]) < 1e-12 && Math.abs(amount[m]) < 1e-9;
            }
            for (int m = 0; m < opportunities.length; m++) {
                opportunities[m] = Math.rint(opportunities[m]);
                zero &= opportunities[m] == 0;
            }
            if (zero) {
                return;
            }
            int keyId = (int) (key & 0xffffffffL);
            long high = key >>> 32;
            int d = (int) (high & 7);
            int b = (int) ((high >>> 3) & 3);
            long day = (high >>> 5) - DAY_OFFSET;
            visitor.accept(new RollupRow(BASES[b], d == COUNTS_DIMENSION ? RollupRow.OPPORTUNITIES : DIMENSION_NAMES[d],
                    LocalDate.ofEpochDay(day), keyNames.get(keyId), credit, amount, opportunities));
        });
    }

    /** Receives one chunk of a full recompute's series (SeriesCodec) of a basis, a dimension and an index. */
    @FunctionalInterface
    public interface SeriesSink<E extends Exception> {
        void accept(String basis, String dimension, RollupColumns columns, int chunk, byte[] cells) throws E;
    }

    /**
     * The sums as the series reports read (RollupIndex): for each basis and dimension, each index of {@code indexes}, chunks
     * of about {@code chunkBytes} holding whole keys with their cells by day. One sort of the entries serves every index.
     */
    public <E extends Exception> void forEachSeriesChunk(List<RollupColumns> indexes, int chunkBytes, SeriesSink<E> sink)
            throws E {
        long[] byEntry = sums.keysByEntry();
        // (group, key, day) packed to sort by: group = basis × 8 + dimension (5 bits), key id (31), day (23, offset 2^22).
        long[] order = new long[byEntry.length];
        for (int i = 0; i < byEntry.length; i++) {
            long high = byEntry[i] >>> 32;
            long group = ((high >>> 3) & 3) * 8 + (high & 7);
            long day = (high >>> 5) - DAY_OFFSET + (1L << 22);
            order[i] = group << 54 | (byEntry[i] & 0x7fffffffL) << 23 | day;
        }
        java.util.Arrays.sort(order);
        int[] entries = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            long o = order[i];
            long group = o >>> 54;
            int keyId = (int) ((o >>> 23) & 0x7fffffffL);
            long day = (o & ((1L << 23) - 1)) - (1L << 22);
            entries[i] = sums.entry(key(day, (int) (group / 8), (int) (group % 8), keyId));
        }
        int start = 0;
        while (start < order.length) {
            long group = order[start] >>> 54;
            int end = start;
            while (end < order.length && order[end] >>> 54 == group) {
                end++;
            }
            int b = (int) (group / 8);
            int d = (int) (group % 8);
            String dimension = d == COUNTS_DIMENSION ? RollupRow.OPPORTUNITIES : DIMENSION_NAMES[d];
            for (RollupColumns columns : indexes) {
                SeriesCodec codec = new SeriesCodec(columns.indexWidth());
                double[] cell = new double[columns.indexWidth()];
                int chunk = 0;
                int keyId = -1;
                for (int i = start; i < end; i++) {
                    int k = (int) ((order[i] >>> 23) & 0x7fffffffL);
                    if (k != keyId) {
                        if (codec.size() >= chunkBytes) {
                            sink.accept(BASES[b], dimension, columns, chunk++, codec.finish());
                        }
                        codec.key(keyNames.get(k));
                        keyId = k;
                    }
                    columns.cell(sums, entries[i], cell);
                    codec.cell((int) ((order[i] & ((1L << 23) - 1)) - (1L << 22)), cell);
                }
                if (!codec.isEmpty()) {
                    sink.accept(BASES[b], dimension, columns, chunk, codec.finish());
                }
            }
            start = end;
        }
    }

    private static final String[] BASES = {Basis.values()[0].name(), Basis.values()[1].name(), RollupRow.NEW_CUSTOMER};
    private static final int NEW_CUSTOMER_BASIS = 2;
    private static final String[] DIMENSION_NAMES = java.util.Arrays.stream(Dimension.values()).map(Enum::name)
            .toArray(String[]::new);

    /** The order every writer upserts rows in, so concurrent writers never deadlock. */
    public static final Comparator<RollupRow> ORDER = Comparator.comparing(RollupRow::basis)
            .thenComparing(RollupRow::dimension).thenComparing(RollupRow::day).thenComparing(RollupRow::key);

    private static long key(long day, int basis, int dimension, int keyId) {
        long high = (((day + DAY_OFFSET) << 2 | basis) << 3) | dimension;
        return high << 32 | (keyId & 0xffffffffL);
    }

    private int intern(String value) {
        Integer id = keyIds.get(value);
        if (id == null) {
            id = keyNames.size();
            keyIds.put(value, id);
            keyNames.add(value);
        }
        return id;
    }
}
