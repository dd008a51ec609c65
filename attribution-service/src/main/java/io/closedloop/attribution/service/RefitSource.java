package io.closedloop.attribution.service;

import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.RefitIntervals;
import io.closedloop.attribution.journey.Opportunity;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A data-driven question's journeys on one basis as RefitIntervals resamples them: from the touches in memory
 * (StoredJourneys, ACCOUNT journeys) or from rows read on demand (RowJourneys: CONTACT_ROLES journeys, or a workspace too
 * large to keep in memory).
 */
interface RefitSource {

    /** The converting opportunities, in the order of their journeys. */
    List<Opportunity> opportunities();

    /**
     * The population with each journey's unit numbered in {@code units} (its account, shared by both bases), each converting
     * journey's deal amount and whether it won a new customer ({@code newCustomers}, deal ids), and each of its touches' row
     * (its group's number in {@code rowOf}, else -1).
     */
    RefitIntervals.Side refitSide(Dimension groupBy, Map<String, Integer> rowOf, Map<String, Integer> units, Set<String> newCustomers);
}
