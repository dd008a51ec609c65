package io.closedloop.identity.graph;

import java.util.List;

/**
 * An assertion that identifiers belong together: one identity fact (identify, alias, group, link)
 * keyed by its fact id, so a repeated fact replaces rather than duplicates.
 *
 * @param accountId the account the fact names (a group call's id, a CRM contact's account id), else null
 * @param members   identifier keys ({@link Identifier#key()})
 */
public record Link(String factId, String kind, long seq, String accountId, List<String> members) {

    public static final String GROUP = "group";
    public static final String LINK = "link";

    public Link {
        members = List.copyOf(members);
    }

    public Link without(String key) {
        return new Link(factId, kind, seq, accountId, members.stream().filter(m -> !m.equals(key)).toList());
    }
}
