package io.closedloop.attribution.service;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.repository.VersionRepository.DealVersion;
import io.closedloop.attribution.repository.VersionRepository.TouchVersion;
import io.closedloop.attribution.repository.VersionRepository.Versions;
import io.closedloop.attribution.service.AttributionService.Converting;
import io.closedloop.attribution.service.ChangeCauses.Result;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * ChangeCauses for a data-driven figure over journeys that follow persons (CONTACT_ROLES), or a switch to or from one: as
 * PopulationChangeCauses, each combination of causes refits the model over the whole period's population, but every
 * journey is rebuilt from the period's versions (VersionRepository.periodVersions) as a report computed on demand builds it
 * from rows (AttributionService.converting and population): the touches in memory are kept by account and know no persons.
 * Pure: the versions are read before.
 */
final class RowChangeCauses {

    private RowChangeCauses() {
    }

    static Result explain(Versions versions, Instant from, Instant to, Basis basis, Dimension groupBy, String key,
                          PopulationChangeCauses.Setting then, PopulationChangeCauses.Setting now, JourneyScope thenScope,
                          JourneyScope nowScope, boolean settingsChanged) {
        int players = settingsChanged ? 4 : 3;
        int combos = 1 << players;
        ChangeCauses.Moments at = ChangeCauses.Moments.of(versions);
        List<Map<String, String>> accountOf = at.accountOf();
        List<Map<String, String>> personOf = at.personOf();
        List<Map<String, DealVersion>> deals = at.deals();
        List<ChangeCauses.Leads> leads = at.leads();
        // Per (touches, memberships) pair (index touchesState + 2 * membershipState): each account's touches with their
        // persons there, as JourneyRepository.touchesByAccount reads them.
        List<Map<String, List<TouchRow>>> byAccount = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            byAccount.add(byAccount(versions.touches(), (c & 1) == 1, accountOf.get(c >> 1), personOf.get(c >> 1)));
        }
        Map<String, double[][]> value = new TreeMap<>(Journey::compareByCodePoint);
        for (int c = 0; c < combos; c++) {
            int t = c >> ChangeCauses.TOUCHES & 1;
            int m = c >> ChangeCauses.IDENTITY & 1;
            int d = c >> ChangeCauses.CRM & 1;
            boolean later = (c >> ChangeCauses.SETTINGS & 1) == 1;
            int combo = c;
            figures(deals.get(d), leads.get(d), personOf.get(m), byAccount.get(t + 2 * m), from, to, basis, groupBy, key,
                    later ? now : then, later ? nowScope : thenScope)
                    .forEach((id, figure) -> value.computeIfAbsent(id, i -> new double[combos][2])[combo] = figure);
        }
        return ChangeCauses.split(value, players);
    }

    /** Each converting deal's {attributed amount, credit} of {@code key} (null: all) in one combination's figure. */
    private static Map<String, double[]> figures(Map<String, DealVersion> deals, ChangeCauses.Leads leads, Map<String, String> personOf,
                                                 Map<String, List<TouchRow>> byAccount, Instant from, Instant to, Basis basis,
                                                 Dimension groupBy, String key, PopulationChangeCauses.Setting s, JourneyScope scope) {
        List<Opportunity> all = new ArrayList<>();
        for (DealVersion d : deals.values()) {
            all.add(new Opportunity(d.id(), d.accountId(), d.amount(), d.currency(), d.createdAt(), d.status(), d.closedAt(),
                    leads.of(d), ChangeCauses.rolePersons(d, personOf)));
        }
        all.sort((a, b) -> Journey.compareByCodePoint(a.id(), b.id()));
        List<Opportunity> inScope = JourneyStore.InMemory.inScope(all, basis, from, to);
        JourneyTouches touches = new JourneyTouches(byAccount, scope);
        Converting converting = AttributionService.converting(inScope, touches, basis, s.lookback());
        List<double[]> credits = AttributionService.credits(converting, inScope, touches, from, to, s.options().withBasis(basis),
                s.lookback(), s.rule());
        Map<String, double[]> out = new HashMap<>();
        for (int k = 0; k < credits.size(); k++) {
            Journey j = converting.journeys().get(k);
            Map<String, TouchRow> byId = converting.touchesById().get(k);
            double sum = 0;
            for (int i = 0; i < j.size(); i++) {
                if (key == null || key.equals(byId.get(j.touch(i).id()).key(groupBy))) {
                    sum += credits.get(k)[i];
                }
            }
            Opportunity o = converting.opportunities().get(k);
            out.put(o.id(), new double[]{sum * o.amountOrZero(), sum});
        }
        return out;
    }

    /** Each account's touches at one moment with their persons in that account (a touch once per account). */
    private static Map<String, List<TouchRow>> byAccount(List<TouchVersion> touches, boolean now, Map<String, String> accountOf,
                                                         Map<String, String> personOf) {
        Map<String, Map<String, TouchRow>> out = new TreeMap<>();
        for (TouchVersion version : touches) {
            if (!(now ? version.now() : version.then())) {
                continue;
            }
            TouchRow t = version.touch();
            for (String identifier : version.identifiers()) {
                String account = accountOf.get(identifier);
                if (account == null) {
                    continue;
                }
                TouchRow row = out.computeIfAbsent(account, a -> new LinkedHashMap<>()).computeIfAbsent(t.id(), id -> new TouchRow(
                        t.id(), t.occurredAt(), t.type(), t.channel(), t.source(), t.medium(), t.campaign(), t.content(),
                        new TreeSet<>()));
                String person = personOf.get(identifier);
                if (person != null) {
                    row.personIds().add(person);
                }
            }
        }
        Map<String, List<TouchRow>> lists = new HashMap<>();
        out.forEach((account, rows) -> lists.put(account, new ArrayList<>(rows.values())));
        return lists;
    }
}
