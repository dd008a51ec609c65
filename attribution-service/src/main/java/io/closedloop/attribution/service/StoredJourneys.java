package io.closedloop.attribution.service;

import io.closedloop.attribution.journey.AccountTouches;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.RuleBasedModel;
import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.AttributionRow;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.RefitIntervals;
import io.closedloop.attribution.report.ReportViews.ModelExplanation;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.service.AttributionService.DealCredits;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.service.AttributionService.OpportunityCredit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A question's journeys over a workspace's touches and opportunities in memory (JourneyStore; ACCOUNT journeys, a
 * data-driven model): the converting opportunities' touch ranges and the model's credits of each, in the order the rows
 * read on demand give them (AttributionService), and what the reports make of them; {@code firstWon} the ids of the
 * workspace's first won deals (JourneyStore.InMemory), or null where not known.
 */
record StoredJourneys(AccountTouches touches, Set<String> firstWon, List<Opportunity> opportunities,
                      List<AccountTouches.Range> ranges, List<double[]> credits, int unattributed, double unattributedAmount,
                      ModelExplanation explanation, AccountTouches.Population population) implements RefitSource {

    /**
     * As AttributionService's converting journeys then its credits, over the touches in memory (ACCOUNT journeys): the
     * journeys of {@code rule} (a rule-based model), or else of the data-driven model's fit over the period's population.
     */
    static StoredJourneys of(List<Opportunity> opportunities, AccountTouches touches, Set<String> firstWon, Instant from, Instant to,
                             ModelOptions options,
                             Duration lookback, RuleBasedModel rule, boolean explain) {
        List<Opportunity> converting = new ArrayList<>();
        List<AccountTouches.Range> ranges = new ArrayList<>();
        List<AccountTouches.Range> lost = new ArrayList<>();
        // By account number: accounts without touches here have no journey to leave out.
        boolean[] inScope = new boolean[touches.accountCount()];
        int unattributed = 0;
        double unattributedAmount = 0;
        for (Opportunity o : opportunities) {
            int account = touches.indexOf(o.accountId());
            if (account >= 0) {
                inScope[account] = true;
            }
            long created = o.createdAt().toEpochMilli();
            Long closed = o.closedAt() == null ? null : o.closedAt().toEpochMilli();
            long start = Journey.windowStart(created, lookback);
            if (options.basis() == Basis.REVENUE && !"WON".equals(o.status())) {
                if ("LOST".equals(o.status())) {
                    lost.add(touches.range(account, start, Journey.windowEnd(Basis.REVENUE, created, closed)));
                }
                continue;
            }
            AccountTouches.Range range = touches.range(account, start, Journey.windowEnd(options.basis(), created, closed));
            if (range.isEmpty()) {
                unattributed++;
                unattributedAmount += o.amountOrZero();
            } else {
                converting.add(o);
                ranges.add(range);
            }
        }
        if (rule != null) {
            List<double[]> credits = new ArrayList<>(ranges.size());
            for (int k = 0; k < ranges.size(); k++) {
                credits.add(rule.credit(converting.get(k).journey(options.basis(), lookback, touches.touches(ranges.get(k)))));
            }
            return new StoredJourneys(touches, firstWon, converting, ranges, credits, unattributed, unattributedAmount, null, null);
        }
        AccountTouches.Population population = touches.population(ranges, lost, inScope, from.toEpochMilli(), to.toEpochMilli());
        AttributionService.DataDriven fitted = AttributionService.fit(population.paths(), ranges.size(), options, explain);
        return new StoredJourneys(touches, firstWon, converting, ranges, fitted.credits(), unattributed, unattributedAmount,
                fitted.explanation(), population);
    }

    @Override
    public RefitIntervals.Side refitSide(Dimension groupBy, Map<String, Integer> rowOf, Map<String, Integer> units, Set<String> newCustomers) {
        int[] accountOf = population.accountOf();
        int[] unitOf = new int[accountOf.length];
        for (int j = 0; j < unitOf.length; j++) {
            unitOf[j] = units.computeIfAbsent(touches.account(accountOf[j]), a -> units.size());
        }
        double[] amount = new double[ranges.size()];
        boolean[] newCustomer = new boolean[ranges.size()];
        int size = 0;
        for (AccountTouches.Range range : ranges) {
            size += range.size();
        }
        int[] touchRow = new int[size];
        int at = 0;
        for (int k = 0; k < ranges.size(); k++) {
            amount[k] = opportunities.get(k).amountOrZero();
            newCustomer[k] = newCustomers.contains(opportunities.get(k).id());
            AccountTouches.Range range = ranges.get(k);
            for (int t = range.from(); t < range.to(); t++) {
                touchRow[at++] = rowOf.getOrDefault(touches.value(groupBy, touches.key(groupBy, t)), -1);
            }
        }
        return new RefitIntervals.Side(population.paths(), unitOf, amount, newCustomer, touchRow);
    }

    /** The report of these journeys, as AttributionService's from rows: the same rows, summed in the same order. */
    AttributionReport report(Instant from, Instant to, Dimension groupBy, ModelOptions options, String dataAsOf) {
        int keys = touches.valueCount(groupBy);
        double[] credit = new double[keys];
        double[] amount = new double[keys];
        int[] deals = new int[keys];
        int[] lastDeal = new int[keys];
        boolean[] present = new boolean[keys];
        Arrays.fill(lastDeal, -1);
        for (int k = 0; k < ranges.size(); k++) {
            AccountTouches.Range range = ranges.get(k);
            double dealAmount = opportunities.get(k).amountOrZero();
            double[] shares = credits.get(k);
            for (int i = 0; i < range.size(); i++) {
                int key = touches.key(groupBy, range.from() + i);
                present[key] = true;
                credit[key] += shares[i];
                amount[key] += shares[i] * dealAmount;
                if (shares[i] > 0 && lastDeal[key] != k) {
                    lastDeal[key] = k;
                    deals[key]++;
                }
            }
        }
        List<AttributionRow> rows = new ArrayList<>();
        for (int key = 0; key < keys; key++) {
            if (present[key]) {
                rows.add(new AttributionRow(touches.value(groupBy, key), credit[key], amount[key], deals[key]));
            }
        }
        // As the rows on demand are ordered (by key, then stably by credit): credit descending, ties by key in code points.
        rows.sort(Comparator.comparingDouble(AttributionRow::credit).reversed()
                .thenComparing(AttributionRow::key, Journey::compareByCodePoint));
        return new AttributionReport(from.toString(), to.toString(), options.basis(), options.model(), groupBy, rows,
                ranges.size(), unattributed, unattributedAmount, dataAsOf, explanation);
    }

    /** Each converting opportunity's credit by key (of {@code accounts}; null: all), as AttributionService.opportunityCredits. */
    List<OpportunityCredit> opportunityCredits(Dimension groupBy, Set<String> accounts) {
        List<OpportunityCredit> out = new ArrayList<>();
        for (int k = 0; k < ranges.size(); k++) {
            Opportunity o = opportunities.get(k);
            if (accounts != null && !accounts.contains(o.accountId())) {
                continue;
            }
            AccountTouches.Range range = ranges.get(k);
            // Looked up by key, never iterated in an order that changes a figure: hash maps.
            Map<String, Double> credit = new HashMap<>();
            Map<String, Integer> touchCount = new HashMap<>();
            for (int i = 0; i < range.size(); i++) {
                String key = touches.value(groupBy, touches.key(groupBy, range.from() + i));
                credit.merge(key, credits.get(k)[i], Double::sum);
                touchCount.merge(key, 1, Integer::sum);
            }
            out.add(new OpportunityCredit(o, touches.at(range.from()), range.size(), credit, touchCount));
        }
        return out;
    }

    /** The converting deals' credits by key number (DealCredits): the keys numbered as the touches' dictionary does. */
    DealCredits dealCredits(Dimension groupBy) {
        int deals = ranges.size();
        long[] firstTouchAt = new long[deals];
        int[] offsets = new int[deals + 1];
        int size = 0;
        for (AccountTouches.Range range : ranges) {
            size += range.size();
        }
        int[] keys = new int[size];
        double[] sums = new double[size];
        // Per deal, its keys' credit summed in touch order (as the maps of opportunityCredits do); slot: a key's position.
        int[] slot = new int[touches.valueCount(groupBy)];
        Arrays.fill(slot, -1);
        int at = 0;
        for (int k = 0; k < deals; k++) {
            AccountTouches.Range range = ranges.get(k);
            double[] credit = credits.get(k);
            firstTouchAt[k] = touches.at(range.from());
            int first = at;
            for (int i = 0; i < range.size(); i++) {
                int key = touches.key(groupBy, range.from() + i);
                if (slot[key] < first) {
                    slot[key] = at;
                    keys[at] = key;
                    sums[at++] = 0;
                }
                sums[slot[key]] += credit[i];
            }
            offsets[k + 1] = at;
        }
        String[] names = new String[slot.length];
        for (int key = 0; key < names.length; key++) {
            names[key] = touches.value(groupBy, key);
        }
        return new DealCredits(opportunities, firstTouchAt, names, offsets, Arrays.copyOf(keys, at),
                Arrays.copyOf(sums, at), firstWon);
    }
}
