package io.closedloop.attribution.journey;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.Touch;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An opportunity as every journey reads it (the {@code journey_opportunity} view, V19): on demand, in the incremental
 * rollups and in the full recompute. Its lead-creation time is the earliest of its people's (null when unknown);
 * {@code rolePersons} are the persons of its contact roles (the CONTACT_ROLES scope), empty where a path does not read
 * them (the rollups are of the account scope).
 */
public record Opportunity(String id, String accountId, BigDecimal amount, String currency, Instant createdAt,
                          String status, Instant closedAt, Instant leadCreatedAt, Set<String> rolePersons) {

    /** The amount as the models credit it: a missing amount counts as 0. */
    public double amountOrZero() {
        return amount == null ? 0 : amount.doubleValue();
    }

    public boolean isWon() {
        return "WON".equals(status) && closedAt != null;
    }

    /**
     * Whether this won deal comes before {@code other} as its account's first: it closed earlier, or at the same time with
     * an id first in code point order (as ReportRepository.firstWonDeals breaks the tie in SQL).
     */
    public boolean closesBefore(Opportunity other) {
        return closedAt.isBefore(other.closedAt) || closedAt.equals(other.closedAt) && Journey.compareByCodePoint(id, other.id) < 0;
    }

    /** The ids of each account's first won deal among {@code deals} (the new customers); deals without an account have none. */
    public static Set<String> firstWonIds(Collection<Opportunity> deals) {
        Map<String, Opportunity> first = new HashMap<>();
        for (Opportunity o : deals) {
            if (o.isWon() && o.accountId() != null) {
                first.merge(o.accountId(), o, (kept, next) -> next.closesBefore(kept) ? next : kept);
            }
        }
        Set<String> ids = new HashSet<>(2 * first.size());
        first.values().forEach(o -> ids.add(o.id()));
        return ids;
    }

    /**
     * This opportunity's journey on {@code basis} of its account's (or contact roles') touches: the one assembly every path
     * uses (on demand, the incremental rollups, the full recompute), so their windows and milestones cannot disagree.
     */
    public Journey journey(Basis basis, Duration lookback, Collection<Touch> touches) {
        return Journey.builder().basis(basis).opportunityCreatedAt(createdAt.toEpochMilli())
                .leadCreatedAt(leadCreatedAt == null ? null : leadCreatedAt.toEpochMilli())
                .closedAt(closedAt == null ? null : closedAt.toEpochMilli())
                .lookback(lookback).touches(touches).build();
    }
}
