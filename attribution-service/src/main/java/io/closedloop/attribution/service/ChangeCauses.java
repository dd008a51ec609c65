package io.closedloop.attribution.service;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.RuleBasedModel;
import io.closedloop.attribution.model.Touch;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.repository.VersionRepository.ContactVersion;
import io.closedloop.attribution.repository.VersionRepository.DealVersion;
import io.closedloop.attribution.repository.VersionRepository.MembershipVersion;
import io.closedloop.attribution.repository.VersionRepository.TouchVersion;
import io.closedloop.attribution.repository.VersionRepository.Versions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Splits the change of one group's attributed figures between two moments into causes (explainChange, docs/reports.md
 * "Why a figure changed"). The causes are the players of a cooperative game whose value is the figure with each cause's
 * inputs taken from the later moment and the others from the earlier: touches (TOUCHES), memberships (IDENTITY), deals and
 * contacts (CRM) and the settings with the model's parameters and the journey scope (SETTINGS, a player only when they
 * differ). Under CONTACT_ROLES a journey is its contact roles' persons' touches: the memberships say who each role is. Each cause gets its
 * Shapley value, per deal: causes that interact (a late touch on a restated deal) share the interaction equally, and the
 * causes sum to the change exactly. Pure: the versions are read before.
 */
final class ChangeCauses {

    static final int TOUCHES = 0;
    static final int IDENTITY = 1;
    static final int CRM = 2;
    static final int SETTINGS = 3;

    /** What journeys are computed with at a moment: the lookback, the model and whose touches (the journey scope). */
    record Settings(Duration lookback, RuleBasedModel rule, JourneyScope scope) {
    }

    /** One deal's share of each cause (indexed as the constants), in attributed amount and credit. */
    record DealChange(String dealId, double[] amount, double[] credit) {
    }

    /**
     * The figures of the deals read (their sum at each moment) and their change by cause; only deals whose figure changed.
     */
    record Result(double amountThen, double amountNow, double creditThen, double creditNow, double[] amount, double[] credit,
                  List<DealChange> deals) {
    }

    private ChangeCauses() {
    }

    static Result explain(Versions versions, Instant from, Instant to, Basis basis, Dimension groupBy, String key,
                          Settings then, Settings now, boolean settingsChanged) {
        int players = settingsChanged ? 4 : 3;
        // The inputs at each moment (0: then, 1: now), built once.
        Moments at = Moments.of(versions);
        List<Map<String, String>> accountOf = at.accountOf();
        List<Map<String, DealVersion>> deals = at.deals();
        List<Leads> contacts = at.leads();
        // Touches per account (and, for CONTACT_ROLES journeys, per person) for each (touches, memberships) pair: index
        // touchesState + 2 * membershipState.
        boolean roles = then.scope() == JourneyScope.CONTACT_ROLES || now.scope() == JourneyScope.CONTACT_ROLES;
        List<Map<String, String>> personOf = at.personOf();
        List<JourneysOf> touchesOf = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            boolean touchesNow = (c & 1) == 1;
            touchesOf.add(new JourneysOf(byAccount(versions.touches(), touchesNow, accountOf.get(c >> 1)), roles
                    ? byPerson(versions.touches(), touchesNow, accountOf.get(c >> 1), personOf.get(c >> 1)) : Map.of(),
                    personOf.get(c >> 1)));
        }
        Set<String> all = new HashSet<>(deals.get(0).keySet());
        all.addAll(deals.get(1).keySet());
        // In id order, so that the sums do not depend on a hash order.
        List<String> ids = new ArrayList<>(all);
        Collections.sort(ids);
        int combos = 1 << players;
        Map<String, double[][]> values = new LinkedHashMap<>();
        for (String id : ids) {
            double[][] value = new double[combos][];
            for (int c = 0; c < combos; c++) {
                int t = c >> TOUCHES & 1;
                int m = c >> IDENTITY & 1;
                int d = c >> CRM & 1;
                Settings s = (c >> SETTINGS & 1) == 1 ? now : then;
                value[c] = value(deals.get(d).get(id), contacts.get(d), touchesOf.get(t + 2 * m), from, to, basis, groupBy, key, s);
            }
            values.put(id, value);
        }
        return split(values, players);
    }

    /**
     * The figures then and now and each cause's share, from each deal's figure {amount, credit} in every combination of
     * causes ({@code values}, summed in its order): per deal, each cause's Shapley value; the deals a cause moved listed.
     */
    static Result split(Map<String, double[][]> values, int players) {
        int combos = 1 << players;
        double[] amount = new double[4];
        double[] credit = new double[4];
        double amountThen = 0;
        double amountNow = 0;
        double creditThen = 0;
        double creditNow = 0;
        List<DealChange> changes = new ArrayList<>();
        for (Map.Entry<String, double[][]> e : values.entrySet()) {
            double[][] value = e.getValue();
            amountThen += value[0][0];
            creditThen += value[0][1];
            amountNow += value[combos - 1][0];
            creditNow += value[combos - 1][1];
            if (unchanged(value)) {
                continue;
            }
            double[] dealAmount = new double[4];
            double[] dealCredit = new double[4];
            for (int p = 0; p < players; p++) {
                dealAmount[p] = shapley(value, players, p, 0);
                dealCredit[p] = shapley(value, players, p, 1);
                amount[p] += dealAmount[p];
                credit[p] += dealCredit[p];
            }
            changes.add(new DealChange(e.getKey(), dealAmount, dealCredit));
        }
        return new Result(amountThen, amountNow, creditThen, creditNow, amount, credit, changes);
    }

    private static boolean unchanged(double[][] value) {
        for (double[] v : value) {
            if (v[0] != value[0][0] || v[1] != value[0][1]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Player {@code p}'s Shapley value of the game {@code value} (indexed by the coalition's bits; component {@code figure}):
     * its marginal contribution averaged over every order the players can join in.
     */
    static double shapley(double[][] value, int players, int p, int figure) {
        double sum = 0;
        for (int c = 0; c < value.length; c++) {
            if ((c >> p & 1) == 1) {
                continue;
            }
            int size = Integer.bitCount(c);
            sum += weight(size, players) * (value[c | 1 << p][figure] - value[c][figure]);
        }
        return sum;
    }

    /** |S|! (n - |S| - 1)! / n!: the share of orders in which exactly the coalition S joins before a player. */
    private static double weight(int size, int players) {
        return (double) factorial(size) * factorial(players - size - 1) / factorial(players);
    }

    private static long factorial(int n) {
        long f = 1;
        for (int i = 2; i <= n; i++) {
            f *= i;
        }
        return f;
    }

    /**
     * The touches that may enter journeys at one combination of causes: per account, per person (CONTACT_ROLES), and each
     * identifier's person.
     */
    private record JourneysOf(Map<String, List<TouchVersion>> byAccount, Map<String, List<TouchVersion>> byPerson,
                              Map<String, String> personOf) {

        /**
         * A deal's: its account's (ACCOUNT), or the touches of its contact roles' persons, each once (CONTACT_ROLES, as
         * JourneyTouches: a role's person is the person of its contact's identifier).
         */
        List<TouchVersion> of(DealVersion deal, JourneyScope scope) {
            if (scope == JourneyScope.ACCOUNT) {
                return deal.accountId() == null ? List.of() : byAccount.getOrDefault(deal.accountId(), List.of());
            }
            Map<String, TouchVersion> once = new LinkedHashMap<>();
            for (String person : rolePersons(deal, personOf)) {
                for (TouchVersion t : byPerson.getOrDefault(person, List.of())) {
                    once.putIfAbsent(t.touch().id(), t);
                }
            }
            return new ArrayList<>(once.values());
        }
    }

    /** {attributed amount, credit} of {@code key}'s touches (all touches: null) in one deal's journey; zeros when not in the report. */
    private static double[] value(DealVersion deal, Leads contacts, JourneysOf touchesOf,
                                  Instant from, Instant to, Basis basis, Dimension groupBy, String key, Settings settings) {
        if (deal == null || settings.scope() == JourneyScope.ACCOUNT && deal.accountId() == null
                || !inReport(deal, from, to, basis)) {
            return new double[2];
        }
        List<TouchVersion> rows = touchesOf.of(deal, settings.scope());
        List<Touch> touches = new ArrayList<>(rows.size());
        Map<String, String> keys = new HashMap<>();
        for (TouchVersion version : rows) {
            TouchRow t = version.touch();
            touches.add(t.modelTouch());
            keys.put(t.id(), t.key(groupBy));
        }
        Opportunity o = new Opportunity(deal.id(), deal.accountId(), deal.amount(), deal.currency(), deal.createdAt(), deal.status(),
                deal.closedAt(), contacts.of(deal), Set.of());
        Journey journey = o.journey(basis, settings.lookback(), touches);
        if (journey.size() == 0) {
            return new double[2];
        }
        double[] shares = settings.rule().credit(journey);
        double credit = 0;
        for (int i = 0; i < journey.size(); i++) {
            if (key == null || key.equals(keys.get(journey.touch(i).id()))) {
                credit += shares[i];
            }
        }
        return new double[]{credit * o.amountOrZero(), credit};
    }

    /** As the performance report chooses its deals: created in the period (pipeline), won with the close in it (revenue). */
    private static boolean inReport(DealVersion d, Instant from, Instant to, Basis basis) {
        if (basis == Basis.PIPELINE) {
            return !d.createdAt().isBefore(from) && d.createdAt().isBefore(to);
        }
        return "WON".equals(d.status()) && d.closedAt() != null && !d.closedAt().isBefore(from) && d.closedAt().isBefore(to);
    }

    /** The contacts' lead-creation times at one moment, by contact and (the earliest) by account. */
    static final class Leads {
        private final Map<String, Instant> byContact = new HashMap<>();
        private final Map<String, Instant> byAccount = new HashMap<>();

        Leads(List<ContactVersion> versions, boolean now) {
            for (ContactVersion c : versions) {
                if ((now ? c.now() : c.then()) && c.leadCreatedAt() != null) {
                    byContact.put(c.id(), c.leadCreatedAt());
                    if (c.accountId() != null) {
                        byAccount.merge(c.accountId(), c.leadCreatedAt(), (a, b) -> a.isBefore(b) ? a : b);
                    }
                }
            }
        }

        /** As journey_opportunity (V19): the earliest lead creation of its contact roles, or of its account's contacts. */
        Instant of(DealVersion deal) {
            if (deal.contactIds().isEmpty()) {
                return byAccount.get(deal.accountId());
            }
            Instant earliest = null;
            for (String id : deal.contactIds()) {
                Instant lead = byContact.get(id);
                if (lead != null && (earliest == null || lead.isBefore(earliest))) {
                    earliest = lead;
                }
            }
            return earliest;
        }
    }

    /** The versions' inputs at each moment (index 0: the earlier, 1: the later), built once. */
    record Moments(List<Map<String, String>> accountOf, List<Map<String, String>> personOf, List<Map<String, DealVersion>> deals,
                   List<Leads> leads) {

        static Moments of(Versions versions) {
            List<MembershipVersion> m = versions.memberships();
            return new Moments(List.of(resolved(m, false, MembershipVersion::accountId), resolved(m, true, MembershipVersion::accountId)),
                    List.of(resolved(m, false, MembershipVersion::personId), resolved(m, true, MembershipVersion::personId)),
                    List.of(ChangeCauses.deals(versions.deals(), false), ChangeCauses.deals(versions.deals(), true)),
                    List.of(new Leads(versions.contacts(), false), new Leads(versions.contacts(), true)));
        }
    }

    /** Each identifier's account (or person: {@code value}) at one moment. */
    private static Map<String, String> resolved(List<MembershipVersion> memberships, boolean now,
                                                Function<MembershipVersion, String> value) {
        Map<String, String> out = new HashMap<>();
        for (MembershipVersion m : memberships) {
            if ((now ? m.now() : m.then()) && value.apply(m) != null) {
                out.put(m.identifier(), value.apply(m));
            }
        }
        return out;
    }

    /** A deal's contact roles' persons at one moment (the persons of its contacts' identifiers, as JourneyRepository's). */
    static Set<String> rolePersons(DealVersion deal, Map<String, String> personOf) {
        Set<String> persons = new TreeSet<>();
        for (String contact : deal.contactIds()) {
            String person = personOf.get("contact_id:" + contact);
            if (person != null) {
                persons.add(person);
            }
        }
        return persons;
    }

    static Map<String, DealVersion> deals(List<DealVersion> versions, boolean now) {
        Map<String, DealVersion> out = new HashMap<>();
        for (DealVersion d : versions) {
            if (now ? d.now() : d.then()) {
                out.put(d.id(), d);
            }
        }
        return out;
    }

    /**
     * Each person's touches at one moment, through the memberships of one moment (a touch once per person): the persons of
     * its identifiers resolved to an account (as JourneyRepository.touchesOfPersons reads them).
     */
    static Map<String, List<TouchVersion>> byPerson(List<TouchVersion> touches, boolean now, Map<String, String> accountOf,
                                                    Map<String, String> personOf) {
        return grouped(touches, now, identifier -> accountOf.containsKey(identifier) ? personOf.get(identifier) : null);
    }

    /** Each account's touches at one moment, through the memberships of one moment (a touch once per account). */
    static Map<String, List<TouchVersion>> byAccount(List<TouchVersion> touches, boolean now, Map<String, String> accountOf) {
        return grouped(touches, now, accountOf::get);
    }

    /** The touches of one moment by the groups of their identifiers ({@code groupOf}: null for none), a touch once per group. */
    private static Map<String, List<TouchVersion>> grouped(List<TouchVersion> touches, boolean now,
                                                          Function<String, String> groupOf) {
        Map<String, List<TouchVersion>> out = new HashMap<>();
        for (TouchVersion t : touches) {
            if (!(now ? t.now() : t.then())) {
                continue;
            }
            Set<String> groups = new HashSet<>();
            for (String identifier : t.identifiers()) {
                String group = groupOf.apply(identifier);
                if (group != null && groups.add(group)) {
                    out.computeIfAbsent(group, g -> new ArrayList<>()).add(t);
                }
            }
        }
        return out;
    }
}
