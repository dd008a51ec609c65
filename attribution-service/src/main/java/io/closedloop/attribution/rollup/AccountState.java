package io.closedloop.attribution.rollup;

import java.util.List;

/**
 * What one account's journeys are built from: its opportunities and the touches of its people
 * (each touch once). Times are epoch milliseconds (UTC).
 */
public record AccountState(String accountId, List<OpportunityState> opportunities, List<TouchState> touches) {

    /** An opportunity with the earliest lead-creation time of its people (null when unknown). */
    public record OpportunityState(String id, long createdAt, String status, Long closedAt, Long leadCreatedAt,
                                   double amount) {
    }

    /** A touch with the values of every dimension (null when absent). */
    public record TouchState(String id, long occurredAt, String type, String channel, String source, String medium,
                             String campaign, String content) {
    }
}
