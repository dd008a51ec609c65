package io.closedloop.plumbing.graphql;

import java.util.List;

/**
 * What every subgraph's federation entity lookup takes (README "Apollo Federation"): one limit for all, so a gateway's
 * plan one subgraph accepts no other refuses.
 */
public final class EntityLookups {

    /** Most ids one lookup resolves: one level of a query, which a page of at most 1,000 items bounds. */
    public static final int MAX_IDS = 1000;

    private EntityLookups() {
    }

    /** {@code ids}, refused past {@link #MAX_IDS} naming the lookup. */
    public static List<String> checked(String lookup, List<String> ids) {
        if (ids.size() > MAX_IDS) {
            throw new IllegalArgumentException(lookup + ".id: at most " + MAX_IDS + " ids, was " + ids.size());
        }
        return ids;
    }
}
