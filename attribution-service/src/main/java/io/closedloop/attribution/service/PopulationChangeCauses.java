package io.closedloop.attribution.service;

import io.closedloop.attribution.journey.AccountTouches;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.DataDrivenCredits;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.RuleBasedModel;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.model.Touch;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.repository.JourneyRepository.Opportunity;
import io.closedloop.attribution.repository.JourneyRepository.TouchRow;
import io.closedloop.attribution.repository.VersionRepository.DealVersion;
import io.closedloop.attribution.repository.VersionRepository.TouchVersion;
import io.closedloop.attribution.repository.VersionRepository.Versions;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.service.ChangeCauses.Result;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * ChangeCauses for a figure of a data-driven model (MARKOV, SHAPLEY), or of a switch between such a model and another:
 * the figure of a combination of causes (each cause's inputs from the later moment or the earlier) is the model fitted to
 * the whole period's population built from those inputs (DESIGN §4 "Population", as StoredJourneys builds it), since a
 * journey's credit depends on every journey. The accounts no change reached give the same journeys in every combination
 * (taken from the touches and deals in memory); the changed accounts' journeys are built from their versions. Each deal
 * gets, per cause, its Shapley value over the combinations; every deal of the period can move (the refit moves them all),
 * and the deals' values sum to the figure's. Pure: the inputs are read before.
 */
final class PopulationChangeCauses {

    /** What a figure is computed with at a moment: the lookback, the model and, for a rule-based one, its rule. */
    record Setting(Duration lookback, ModelOptions options, RuleBasedModel rule) {
    }

    /** A converting journey of one combination: its deal, the deal's amount, its touches' groups and the rule's journey. */
    private record Converting(String dealId, double amount, List<String> keys, Journey journey) {
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
        List<Map<String, String>> accountOf = List.of(ChangeCauses.accounts(versions.memberships(), false),
                ChangeCauses.accounts(versions.memberships(), true));
        List<Map<String, DealVersion>> deals = List.of(ChangeCauses.deals(versions.deals(), false),
                ChangeCauses.deals(versions.deals(), true));
        List<ChangeCauses.Leads> leads = List.of(new ChangeCauses.Leads(versions.contacts(), false),
                new ChangeCauses.Leads(versions.contacts(), true));
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

    /** Each converting deal's {attributed amount, credit} of {@code key} (null: all) in one combination's figure. */
    private static Map<String, double[]> figures(JourneyStore.InMemory memory, Set<String> changed, Map<String, DealVersion> deals,
                                                 ChangeCauses.Leads leads, Map<String, List<TouchVersion>> touchesOf,
                                                 Instant from, Instant to, Basis basis, Dimension groupBy, String key, Setting s) {
        List<Converting> converting = new ArrayList<>();
        PathPopulation.Builder population = PathPopulation.builder();
        List<List<String>> nonConverting = new ArrayList<>();
        long start = from.toEpochMilli();
        long end = to.toEpochMilli();
        AccountTouches touches = memory.touches();
        // The accounts no change reached: their deals and touches in memory.
        Set<String> inScope = new HashSet<>();
        for (Opportunity o : memory.inScope(basis, from, to)) {
            if (o.accountId() != null) {
                inScope.add(o.accountId());
            }
            if (o.accountId() == null || changed.contains(o.accountId())) {
                continue;
            }
            boolean converts = basis == Basis.PIPELINE || "WON".equals(o.status());
            long created = o.createdAt().toEpochMilli();
            Long closed = o.closedAt() == null ? null : o.closedAt().toEpochMilli();
            AccountTouches.Range range = touches.range(o.accountId(), Journey.windowStart(created, s.lookback()),
                    Journey.windowEnd(basis, created, closed));
            if (range.isEmpty() || !converts && !"LOST".equals(o.status())) {
                continue;
            }
            List<String> channels = new ArrayList<>(range.size());
            List<String> keys = new ArrayList<>(range.size());
            for (int i = range.from(); i < range.to(); i++) {
                channels.add(touches.value(Dimension.CHANNEL, touches.key(Dimension.CHANNEL, i)));
                keys.add(touches.value(groupBy, touches.key(groupBy, i)));
            }
            if (converts) {
                Journey journey = s.rule() == null ? null : AttributionService.journey(o, touches.touches(range), basis, s.lookback());
                converting.add(new Converting(o.id(), AttributionService.amount(o), keys, journey));
                population.add(true, channels);
            } else {
                nonConverting.add(channels);
            }
        }
        for (int a = 0; a < touches.accountCount(); a++) {
            String account = touches.account(a);
            if (inScope.contains(account) || changed.contains(account)) {
                continue;
            }
            AccountTouches.Range outside = touches.range(account, start, end - 1);
            if (!outside.isEmpty()) {
                List<String> channels = new ArrayList<>(outside.size());
                for (int i = outside.from(); i < outside.to(); i++) {
                    channels.add(touches.value(Dimension.CHANNEL, touches.key(Dimension.CHANNEL, i)));
                }
                nonConverting.add(channels);
            }
        }
        // The changed accounts: their deals and touches as this combination's versions give them.
        Set<String> changedInScope = new HashSet<>();
        List<DealVersion> ordered = new ArrayList<>(deals.values());
        ordered.sort(Comparator.comparing(DealVersion::id, Journey::compareByCodePoint));
        for (DealVersion dv : ordered) {
            if (dv.accountId() == null || !changed.contains(dv.accountId()) || !inScope(dv, from, to, basis)) {
                continue;
            }
            changedInScope.add(dv.accountId());
            boolean converts = basis == Basis.PIPELINE || "WON".equals(dv.status());
            if (!converts && !"LOST".equals(dv.status())) {
                continue;
            }
            long created = dv.createdAt().toEpochMilli();
            Long closed = dv.closedAt() == null ? null : dv.closedAt().toEpochMilli();
            long first = Journey.windowStart(created, s.lookback());
            long last = Journey.windowEnd(basis, created, closed);
            List<TouchRow> rows = new ArrayList<>();
            for (TouchVersion tv : sorted(touchesOf.getOrDefault(dv.accountId(), List.of()))) {
                long at = tv.touch().occurredAt().toEpochMilli();
                if (at >= first && at <= last) {
                    rows.add(tv.touch());
                }
            }
            if (rows.isEmpty()) {
                continue;
            }
            List<String> channels = rows.stream().map(TouchRow::channel).toList();
            if (converts) {
                Opportunity o = new Opportunity(dv.id(), dv.accountId(), dv.amount(), dv.currency(), dv.createdAt(), dv.status(),
                        dv.closedAt(), leads.of(dv), Set.of());
                Journey journey = null;
                if (s.rule() != null) {
                    List<Touch> ts = new ArrayList<>(rows.size());
                    for (TouchRow r : rows) {
                        ts.add(new Touch(r.id(), r.occurredAt().toEpochMilli(), r.channel(), "FORM_FILL".equals(r.type())));
                    }
                    journey = AttributionService.journey(o, ts, basis, s.lookback());
                }
                converting.add(new Converting(dv.id(), AttributionService.amount(o),
                        rows.stream().map(r -> r.key(groupBy)).toList(), journey));
                population.add(true, channels);
            } else {
                nonConverting.add(channels);
            }
        }
        for (String account : changed) {
            if (changedInScope.contains(account)) {
                continue;
            }
            List<String> channels = new ArrayList<>();
            for (TouchVersion tv : sorted(touchesOf.getOrDefault(account, List.of()))) {
                long at = tv.touch().occurredAt().toEpochMilli();
                if (at >= start && at < end) {
                    channels.add(tv.touch().channel());
                }
            }
            if (!channels.isEmpty()) {
                nonConverting.add(channels);
            }
        }
        for (List<String> channels : nonConverting) {
            population.add(false, channels);
        }
        List<double[]> credits = credits(population.build(), converting, s);
        Map<String, double[]> out = new TreeMap<>(Journey::compareByCodePoint);
        for (int k = 0; k < converting.size(); k++) {
            Converting j = converting.get(k);
            double sum = 0;
            double[] shares = credits.get(k);
            for (int i = 0; i < shares.length; i++) {
                if (key == null || key.equals(j.keys().get(i))) {
                    sum += shares[i];
                }
            }
            out.put(j.dealId(), new double[]{sum * j.amount(), sum});
        }
        return out;
    }

    /** Each converting journey's credits per touch under the combination's model: fitted, or the rule's per journey. */
    private static List<double[]> credits(PathPopulation population, List<Converting> converting, Setting s) {
        List<double[]> out = new ArrayList<>(converting.size());
        if (s.rule() != null) {
            for (Converting j : converting) {
                out.add(j.journey().size() == 0 ? new double[j.keys().size()] : s.rule().credit(j.journey()));
            }
            return out;
        }
        DataDrivenCredits fitted = s.options().model() == ModelName.MARKOV
                ? new MarkovChainModel(s.options().markovOrder()).fit(population).credits()
                : new ShapleyModel().fit(population);
        for (int k = 0; k < converting.size(); k++) {
            out.add(fitted.credit(k));
        }
        return out;
    }

    /** As JourneyStore.InMemory.inScope: created in the period (pipeline), won or lost with the close in it (revenue). */
    private static boolean inScope(DealVersion d, Instant from, Instant to, Basis basis) {
        Instant at = basis == Basis.PIPELINE ? d.createdAt()
                : "WON".equals(d.status()) || "LOST".equals(d.status()) ? d.closedAt() : null;
        return at != null && !at.isBefore(from) && at.isBefore(to);
    }

    /** An account's touches in journey order: by time, then id by code point. */
    private static List<TouchVersion> sorted(List<TouchVersion> touches) {
        List<TouchVersion> out = new ArrayList<>(touches);
        out.sort(Comparator.comparing((TouchVersion t) -> t.touch().occurredAt())
                .thenComparing(t -> t.touch().id(), Journey::compareByCodePoint));
        return out;
    }
}
