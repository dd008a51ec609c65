package io.closedloop.attribution.service;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whose touches enter a journey under a journey scope (DESIGN §4), over the touches a period's journeys are built
 * from (per account, as JourneyRepository reads them).
 *
 * <p>ACCOUNT: the touches of every person resolved to the opportunity's account. CONTACT_ROLES: the touches any of
 * whose persons is one of the opportunity's contact roles' persons, wherever those persons are resolved (another
 * company, or their own {@code person:} account), each touch once.
 */
final class JourneyTouches {

    private final Map<String, List<TouchRow>> byAccount;
    private final JourneyScope scope;
    /** CONTACT_ROLES only: each person's touches (a touch of two persons is under both). */
    private final Map<String, List<TouchRow>> byPerson = new HashMap<>();

    JourneyTouches(Map<String, List<TouchRow>> byAccount, JourneyScope scope) {
        this.byAccount = byAccount;
        this.scope = scope;
        if (scope == JourneyScope.CONTACT_ROLES) {
            for (List<TouchRow> touches : byAccount.values()) {
                for (TouchRow t : touches) {
                    for (String person : t.personIds()) {
                        byPerson.computeIfAbsent(person, p -> new ArrayList<>()).add(t);
                    }
                }
            }
        }
    }

    /** A non-converting path: an account's touches in a period. */
    record Path(String account, List<TouchRow> touches) {
    }

    /** The touches that may enter {@code o}'s journey (the journey then cuts them to its window). */
    List<TouchRow> of(Opportunity o) {
        if (scope == JourneyScope.ACCOUNT) {
            return o.accountId() == null ? List.of() : byAccount.getOrDefault(o.accountId(), List.of());
        }
        Map<String, TouchRow> touches = new LinkedHashMap<>();
        for (String person : o.rolePersons()) {
            for (TouchRow t : byPerson.getOrDefault(person, List.of())) {
                touches.putIfAbsent(t.id(), t);
            }
        }
        return new ArrayList<>(touches.values());
    }

    /**
     * The non-converting paths of Markov and Shapley beside the journeys of {@code inScope} (DESIGN §4 "Population"):
     * per account, in account order, its touches in [from, to) that belong to no journey of the scope's opportunities.
     * ACCOUNT: the accounts with no opportunity in scope, all their touches. CONTACT_ROLES: every account, the touches
     * none of whose persons is a contact role of an opportunity in scope (a colleague who is no role of the deal
     * walked a path that did not convert). Empty paths are left out.
     */
    List<Path> outside(List<Opportunity> inScope, Instant from, Instant to) {
        Set<String> accounts = new HashSet<>();
        Set<String> persons = new HashSet<>();
        for (Opportunity o : inScope) {
            if (o.accountId() != null) {
                accounts.add(o.accountId());
            }
            persons.addAll(o.rolePersons());
        }
        List<String> keys = new ArrayList<>(byAccount.keySet());
        keys.sort(Journey::compareByCodePoint);
        List<Path> paths = new ArrayList<>();
        for (String account : keys) {
            if (scope == JourneyScope.ACCOUNT && accounts.contains(account)) {
                continue;
            }
            List<TouchRow> path = new ArrayList<>();
            for (TouchRow t : byAccount.get(account)) {
                boolean inPeriod = !t.occurredAt().isBefore(from) && t.occurredAt().isBefore(to);
                if (inPeriod && (scope == JourneyScope.ACCOUNT || Collections.disjoint(t.personIds(), persons))) {
                    path.add(t);
                }
            }
            if (!path.isEmpty()) {
                paths.add(new Path(account, path));
            }
        }
        return paths;
    }
}
