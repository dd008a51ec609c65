package io.closedloop.attribution.journey;

import java.util.List;

/**
 * What one account's journeys are built from, in the rollups and the full recompute: its opportunities and the touches
 * of its people (each touch once). The account is null for the opportunities without one (unattributed: no touches).
 */
public record AccountState(String accountId, List<Opportunity> opportunities, List<TouchRow> touches) {
}
