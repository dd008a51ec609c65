package io.closedloop.attribution.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The ordered touches that count for one conversion, with its milestone positions (DESIGN §4).
 *
 * <p>Touches are ordered by time, ties broken by touch id compared as strings by code point, and
 * kept only if {@code creation − lookback ≤ time ≤ conversion point}. Milestones are indexes into
 * {@link #touches()}, evaluated in DESIGN's order:
 * <ol>
 *   <li>FT = t1;</li>
 *   <li>LC = the last touch at or before the lead-creation time; if that time is unknown or no
 *       touch lies at or before it, the first form fill; if there is none, FT;</li>
 *   <li>OC = the last touch at or before the opportunity's creation; if none, LC;</li>
 *   <li>if LC falls after OC, LC = OC;</li>
 *   <li>CW = the last touch at or before the close on the revenue basis; on the pipeline basis
 *       (or if none) CW = OC.</li>
 * </ol>
 * So FT ≤ LC ≤ OC ≤ CW always. A journey with no touch has every milestone at -1 and is
 * {@linkplain #isUnattributed() unattributed}: every model gives it an empty credit array.
 */
public final class Journey {

    /** DESIGN §4 default lookback: 365 days of 86,400 s. */
    public static final Duration DEFAULT_LOOKBACK = Duration.ofDays(365);

    /** Time, then id by code point: the one order every model sees. */
    public static final Comparator<Touch> TOUCH_ORDER =
            Comparator.comparingLong(Touch::epochMillis).thenComparing(Touch::id, Journey::compareByCodePoint);

    private final List<Touch> touches;
    private final Basis basis;
    private final long conversionPoint;
    private final long opportunityCreatedAt;
    private final Long leadCreatedAt;
    private final Long closedAt;
    private final int firstTouch;
    private final int leadCreation;
    private final int opportunityCreation;
    private final int closedWon;

    private Journey(Builder b, List<Touch> sortedInWindow) {
        this.touches = List.copyOf(sortedInWindow);
        this.basis = b.basis;
        this.opportunityCreatedAt = b.opportunityCreatedAt;
        this.leadCreatedAt = b.leadCreatedAt;
        this.closedAt = b.closedAt;
        this.conversionPoint = b.basis == Basis.REVENUE ? b.closedAt : b.opportunityCreatedAt;
        int n = touches.size();
        if (n == 0) {
            firstTouch = leadCreation = opportunityCreation = closedWon = -1;
            return;
        }
        int ft = 0;
        int lc = leadCreatedAt == null ? -1 : lastAtOrBefore(leadCreatedAt);
        if (lc < 0) {
            lc = firstFormFill();
        }
        if (lc < 0) {
            lc = ft;
        }
        int oc = lastAtOrBefore(opportunityCreatedAt);
        if (oc < 0) {
            oc = lc;
        }
        if (lc > oc) {
            lc = oc;
        }
        int cw = oc;
        if (basis == Basis.REVENUE) {
            int lastBeforeClose = lastAtOrBefore(closedAt);
            // Every kept touch is ≤ close, so this is t_n; "≥ oc" only guards the invariant.
            cw = Math.max(lastBeforeClose, oc);
        }
        this.firstTouch = ft;
        this.leadCreation = lc;
        this.opportunityCreation = oc;
        this.closedWon = cw;
    }

    private int lastAtOrBefore(long moment) {
        int found = -1;
        for (int i = 0; i < touches.size() && touches.get(i).epochMillis() <= moment; i++) {
            found = i;
        }
        return found;
    }

    private int firstFormFill() {
        for (int i = 0; i < touches.size(); i++) {
            if (touches.get(i).formFill()) {
                return i;
            }
        }
        return -1;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The touches in the window, in journey order. */
    public List<Touch> touches() {
        return touches;
    }

    public int size() {
        return touches.size();
    }

    public Touch touch(int index) {
        return touches.get(index);
    }

    /** True when no touch lies in the window: the journey gets no credit (DESIGN §4). */
    public boolean isUnattributed() {
        return touches.isEmpty();
    }

    public Basis basis() {
        return basis;
    }

    /** The opportunity's creation (pipeline basis) or close (revenue basis), epoch ms. */
    public long conversionPoint() {
        return conversionPoint;
    }

    public long opportunityCreatedAt() {
        return opportunityCreatedAt;
    }

    /** Earliest lead-creation time of the opportunity's people, or null when unknown. */
    public Long leadCreatedAt() {
        return leadCreatedAt;
    }

    /** The close time, or null (pipeline basis, or an open deal). */
    public Long closedAt() {
        return closedAt;
    }

    /** FT: index of the first touch, -1 when there is none. */
    public int firstTouchIndex() {
        return firstTouch;
    }

    /** LC: index of the lead-creation touch, -1 when there is none. */
    public int leadCreationIndex() {
        return leadCreation;
    }

    /** OC: index of the opportunity-creation touch, -1 when there is none. */
    public int opportunityCreationIndex() {
        return opportunityCreation;
    }

    /** CW: index of the closed-won touch (OC on the pipeline basis), -1 when there is none. */
    public int closedWonIndex() {
        return closedWon;
    }

    /** The first moment of a journey's window: the opportunity's creation minus the lookback (epoch ms). */
    public static long windowStart(long opportunityCreatedAt, Duration lookback) {
        return opportunityCreatedAt - lookback.toMillis();
    }

    /** The last moment of a journey's window, inclusive: its conversion point (the close on revenue, else the creation). */
    public static long windowEnd(Basis basis, long opportunityCreatedAt, Long closedAt) {
        return basis == Basis.REVENUE ? closedAt : opportunityCreatedAt;
    }

    /**
     * Compares strings by Unicode code point. {@link String#compareTo} compares UTF-16 units,
     * which orders U+E000..U+FFFF after supplementary characters; DESIGN asks for code points.
     */
    public static int compareByCodePoint(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Builds a journey from unsorted touches: sorts them, cuts them to the window and computes
     * the milestones. Times are epoch milliseconds (UTC).
     */
    public static final class Builder {
        private Basis basis = Basis.PIPELINE;
        private Long opportunityCreatedAt;
        private Long leadCreatedAt;
        private Long closedAt;
        private Duration lookback = DEFAULT_LOOKBACK;
        private final List<Touch> touches = new ArrayList<>();

        private Builder() {
        }

        public Builder basis(Basis basis) {
            this.basis = Objects.requireNonNull(basis, "basis");
            return this;
        }

        /** Required: the opportunity's creation; the lookback counts back from it on both bases. */
        public Builder opportunityCreatedAt(long epochMillis) {
            this.opportunityCreatedAt = epochMillis;
            return this;
        }

        /** Optional: the earliest lead-creation time of the opportunity's people (null = unknown). */
        public Builder leadCreatedAt(Long epochMillis) {
            this.leadCreatedAt = epochMillis;
            return this;
        }

        /** The close time; required on the revenue basis, ignored for the window on pipeline. */
        public Builder closedAt(Long epochMillis) {
            this.closedAt = epochMillis;
            return this;
        }

        /** Optional, default 365 days; must not be negative. */
        public Builder lookback(Duration lookback) {
            Objects.requireNonNull(lookback, "lookback");
            if (lookback.isNegative()) {
                throw new IllegalArgumentException("lookback must not be negative, got " + lookback);
            }
            this.lookback = lookback;
            return this;
        }

        public Builder touch(Touch touch) {
            touches.add(Objects.requireNonNull(touch, "touch"));
            return this;
        }

        /** Adds touches in any order; the journey sorts them. */
        public Builder touches(Collection<Touch> more) {
            more.forEach(this::touch);
            return this;
        }

        /**
         * @throws IllegalArgumentException when the opportunity creation is missing, the close is
         *         missing on the revenue basis, or two touches share an id (the caller dedupes a
         *         touch reached through several people of the account)
         */
        public Journey build() {
            if (opportunityCreatedAt == null) {
                throw new IllegalArgumentException("opportunityCreatedAt is required");
            }
            if (basis == Basis.REVENUE && closedAt == null) {
                throw new IllegalArgumentException("closedAt is required on the revenue basis");
            }
            long from = windowStart(opportunityCreatedAt, lookback);
            long to = windowEnd(basis, opportunityCreatedAt, closedAt);
            Set<String> ids = new HashSet<>();
            List<Touch> kept = new ArrayList<>(touches.size());
            for (Touch t : touches) {
                if (!ids.add(t.id())) {
                    throw new IllegalArgumentException("duplicate touch id in one journey: " + t.id());
                }
                if (t.epochMillis() >= from && t.epochMillis() <= to) {
                    kept.add(t);
                }
            }
            kept.sort(TOUCH_ORDER);
            return new Journey(this, kept);
        }
    }
}
