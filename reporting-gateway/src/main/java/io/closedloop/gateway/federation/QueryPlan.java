package io.closedloop.gateway.federation;

import java.util.List;

/**
 * What to fetch for one operation: the root fetches (of a query, run in parallel; of a mutation, one after the other, in
 * the order of the fields) and, under each, the entity fetches that depend on it. {@code whole}: the plan is one fetch
 * whose document selects exactly what the client asked (no entity fetch, no introspection, no {@code __typename} the
 * gateway writes), so the subgraph's answer, when it has no errors, is the client's answer as it stands.
 */
public record QueryPlan(Operation operation, boolean sequential, List<Fetch> roots, boolean introspects, boolean whole) {

    /** Every fetch of the plan, roots first then level by level. */
    public int fetchCount() {
        return count(roots);
    }

    private static int count(List<Fetch> fetches) {
        int n = fetches.size();
        for (Fetch fetch : fetches) {
            n += count(fetch.dependents());
        }
        return n;
    }
}
