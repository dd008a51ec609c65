package io.closedloop.attribution.service;

import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.RefitIntervals;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A data-driven question's journeys from rows read on demand (AttributionService.population): the converting opportunities,
 * each one's touches in journey order, and the period's population with each journey's unit (its account; a deal without
 * one is its own unit).
 */
record RowJourneys(List<Opportunity> opportunities, List<List<TouchRow>> touches, PathPopulation paths, List<String> units)
        implements RefitSource {

    @Override
    public RefitIntervals.Side refitSide(Dimension groupBy, Map<String, Integer> rowOf, Map<String, Integer> unitNumbers,
                                         Set<String> newCustomers) {
        int[] unitOf = new int[units.size()];
        for (int j = 0; j < unitOf.length; j++) {
            unitOf[j] = unitNumbers.computeIfAbsent(units.get(j), u -> unitNumbers.size());
        }
        double[] amount = new double[opportunities.size()];
        boolean[] newCustomer = new boolean[opportunities.size()];
        int[] touchRow = new int[touches.stream().mapToInt(List::size).sum()];
        int at = 0;
        for (int k = 0; k < opportunities.size(); k++) {
            amount[k] = opportunities.get(k).amountOrZero();
            newCustomer[k] = newCustomers.contains(opportunities.get(k).id());
            for (TouchRow t : touches.get(k)) {
                touchRow[at++] = rowOf.getOrDefault(t.key(groupBy), -1);
            }
        }
        return new RefitIntervals.Side(paths, unitOf, amount, newCustomer, touchRow);
    }
}
