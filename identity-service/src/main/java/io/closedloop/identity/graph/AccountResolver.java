package io.closedloop.identity.graph;

import java.util.Set;

/**
 * Resolves a person's account in order of evidence: the CRM link (a contact's account), a group
 * call, then a corporate email domain. The first rank with candidates decides; several candidates
 * at that rank is ambiguous and leaves the person unassigned rather than guessing (DESIGN §2).
 */
public final class AccountResolver {

    public record Resolution(String accountId, boolean ambiguous) {
        public static final Resolution NONE = new Resolution(null, false);
    }

    private AccountResolver() {
    }

    /**
     * @param crm     account ids of the person's CRM contacts
     * @param group   account ids named by group calls of the person
     * @param domains account keys matched by the person's corporate email domains (a CRM account id
     *                whose domains contain it, else {@code domain:<registered domain>})
     */
    public static Resolution resolve(Set<String> crm, Set<String> group, Set<String> domains) {
        for (Set<String> rank : java.util.List.of(crm, group, domains)) {
            if (rank.size() == 1) {
                return new Resolution(rank.iterator().next(), false);
            }
            if (rank.size() > 1) {
                return new Resolution(null, true);
            }
        }
        return Resolution.NONE;
    }
}
