package io.closedloop.gateway.federation;

import java.util.List;

/**
 * One subgraph call of a plan. A root fetch ({@code entityType} null) asks root fields and its data is the response's;
 * an entity fetch asks {@code _entities} for the objects of {@code entityType} found at {@code path} (response keys,
 * {@link #EACH} stepping into every item of a list) once the fetches before it have brought their keys, and its
 * entities are merged into those objects. {@code dependents} run once this fetch's data is merged.
 *
 * @param key the field the entities are looked up by (their {@code @key}); fetched under {@link #keyAlias}
 */
public record Fetch(String graph, String entityType, String key, List<String> path, String query, List<String> variables,
                   List<Fetch> dependents) {

    /** The path step into every item of a list. */
    public static final String EACH = "@";

    /** The response key under which the fetch before an entity fetch brings the key field (never one a client would choose). */
    public static String keyAlias(String key) {
        return "__key_" + key;
    }

    /** The variable of an entity fetch that carries the representations. */
    public static final String REPRESENTATIONS = "__representations";
}
