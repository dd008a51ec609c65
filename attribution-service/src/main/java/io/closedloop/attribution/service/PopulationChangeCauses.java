package io.closedloop.attribution.service;

import io.closedloop.attribution.journey.AccountTouches;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.RuleBasedModel;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.repository.VersionRepository.DealVersion;
import io.closedloop.attribution.repository.VersionRepository.TouchVersion;
import io.closedloop.attribution.repository.VersionRepository.Versions;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.service.ChangeCauses.Result;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * ChangeCauses for a figure of a data-driven model (MARKOV, SHAPLEY), or of a switch between such a model and another:
 * the figure of a combination of causes (each cause's inputs from the later moment or the earlier) is the model fitted to
 * the whole period's population built from those inputs (DESIGN §4 "Population", by StoredJourneys as a report builds it), since a
 * journey's credit depends on every journey. The accounts no change reached give the same journeys in every combination
 * (taken from the touches and deals in memory); the changed accounts' journeys are built from their versions. Each deal
 * gets, per cause, its Shapley value over the combinations; every deal of the period can move (the refit moves them all),
 * and the deals' values sum to the figure's. Pure: the inputs are read before.
 */
final class PopulationChangeCauses {

    /** What a figure is computed with at a moment: the lookback, the model and, for a rule-based one, its rule. */
    record Setting(Duration lookback, ModelOptions options, RuleBasedModel rule) {
    }

    private PopulationChangeCauses() {
    }

    /**
     * @param memory  the workspace's touches and deals in memory (at least as new as {@code now})
     * @param changed the accounts whose inputs may differ between the moments: their journeys come from {@code versions}
     *                (read for them and for the accounts of every deal version read)
     */
    static Result explain(JourneyStore.InMemory memory, Versions versions, Set<String> changed, Instant from, Instant to,
                          Basis basis, Dimension groupBy, String key, Setting then, Setting now, boolean settingsChanged) {
        int players = settingsChanged ? 4 : 3;
        int combos = 1 << players;
        // A deal reached through a contact may be of an account no other change reached: its journeys come from the versions too.
        Set<String> reached = new HashSet<>(changed);
        for (DealVersion d : versions.deals()) {
            if (d.accountId() != null) {
                reached.add(d.accountId());
            }
        }
        ChangeCauses.Moments at = ChangeCauses.Moments.of(versions);
        List<Map<String, String>> accountOf = at.accountOf();
        List<Map<String, DealVersion>> deals = at.deals();
        List<ChangeCauses.Leads> leads = at.leads();
        List<Map<String, List<TouchVersion>>> touchesOf = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            touchesOf.add(ChangeCauses.byAccount(versions.touches(), (c & 1) == 1, accountOf.get(c >> 1)));
        }
        // Per deal (in id order), its figure {amount, credit} in each combination.
        Map<String, double[][]> value = new TreeMap<>(Journey::compareByCodePoint);
        for (int c = 0; c < combos; c++) {
            int t = c >> ChangeCauses.TOUCHES & 1;
            int m = c >> ChangeCauses.IDENTITY & 1;
            int d = c >> ChangeCauses.CRM & 1;
            Setting s = (c >> ChangeCauses.SETTINGS & 1) == 1 ? now : then;
            int combo = c;
            figures(memory, reached, deals.get(d), leads.get(d), touchesOf.get(t + 2 * m), from, to, basis, groupBy, key, s)
                    .forEach((id, figure) -> value.computeIfAbsent(id, i -> new double[combos][2])[combo] = figure);
        }
        return ChangeCauses.split(value, players);
    }

    /**
     * Each converting deal's {attributed amount, credit} of {@code key} (null: all) in one combination's figure: the touches
     * in memory with the changed accounts' as the combination's versions have them (AccountTouches.refreshed, as a refresh
     * of the store), the deals likewise, and the report's own journeys and fit over them (StoredJourneys.of).
     */
    private static Map<String, double[]> figures(JourneyStore.InMemory memory, Set<String> changed, Map<String, DealVersion> deals,
                                                 ChangeCauses.Leads leads, Map<String, List<TouchVersion>> touchesOf,
                                                 Instant from, Instant to, Basis basis, Dimension groupBy, String key, Setting s) {
        AccountTouches.Builder versioned = AccountTouches.builder(memory.touches().version(), null, 0);
        // In account order, as the builder takes them.
        Set<String> accounts = new TreeSet<>(Journey::compareByCodePoint);
        accounts.addAll(touchesOf.keySet());
        accounts.retainAll(changed);
        for (String account : accounts) {
            for (TouchVersion tv : touchesOf.get(account)) {
                TouchRow t = tv.touch();
                versioned.add(account, t.id(), t.occurredAt().toEpochMilli(), t.type(), t.channel(), t.source(), t.medium(),
                        t.campaign(), t.content());
            }
        }
        AccountTouches touches = memory.touches().refreshed(changed, versioned.build());
        List<Opportunity> opportunities = new ArrayList<>();
        for (Opportunity o : memory.deals()) {
            if (o.accountId() == null || !changed.contains(o.accountId())) {
                opportunities.add(o);
            }
        }
        for (DealVersion d : deals.values()) {
            if (d.accountId() != null && changed.contains(d.accountId())) {
                opportunities.add(new Opportunity(d.id(), d.accountId(), d.amount(), d.currency(), d.createdAt(), d.status(),
                        d.closedAt(), leads.of(d), Set.of()));
            }
        }
        StoredJourneys journeys = StoredJourneys.of(JourneyStore.InMemory.inScope(opportunities, basis, from, to),
                touches, null, from, to, s.options(), s.lookback(), s.rule(), false);
        Map<String, double[]> out = new HashMap<>();
        for (int k = 0; k < journeys.ranges().size(); k++) {
            AccountTouches.Range range = journeys.ranges().get(k);
            double[] shares = journeys.credits().get(k);
            double sum = 0;
            for (int i = 0; i < shares.length; i++) {
                int t = range.from() + i;
                if (key == null || key.equals(touches.value(groupBy, touches.key(groupBy, t)))) {
                    sum += shares[i];
                }
            }
            Opportunity o = journeys.opportunities().get(k);
            out.put(o.id(), new double[]{sum * o.amountOrZero(), sum});
        }
        return out;
    }
}
