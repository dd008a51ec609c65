package io.closedloop.gateway.federation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Runs a {@link QueryPlan}: root fetches (in parallel for a query, in order for a mutation), each followed by its
 * entity fetches once its data is in, independent fetches at the same time. Each entity fetch gathers the objects at
 * its path, asks {@code _entities} once for their distinct keys, and merges each entity into every object it came
 * from. Subgraph errors are kept with their path made the client's (an entity's index replaced by where the entity is
 * in the response) and the subgraph's code ({@code DOWNSTREAM_SERVICE_ERROR} when it gave none), as Apollo's gateway
 * reports them. What comes back is the raw merged data; {@link ResponseShaper} makes it the client's answer. Pure: the
 * calls go through {@link Subgraphs}.
 */
public final class PlanExecutor {

    /** Sends one operation to a subgraph. */
    @FunctionalInterface
    public interface Subgraphs {
        /** The subgraph's response ({@code data} and {@code errors} as parsed JSON); fails when it gave none. */
        CompletionStage<Map<String, Object>> call(String graph, String query, Map<String, Object> variables);
    }

    /** The merged data of every fetch and the errors the subgraphs reported, in the order they came. */
    public record Result(Map<String, Object> data, List<Map<String, Object>> errors) {
    }

    private PlanExecutor() {
    }

    public static CompletionStage<Result> execute(QueryPlan plan, Subgraphs subgraphs) {
        Run run = new Run(plan.operation().variables(), subgraphs);
        CompletionStage<Void> done;
        if (plan.sequential()) {
            done = CompletableFuture.completedFuture(null);
            for (Fetch root : plan.roots()) {
                done = done.thenCompose(x -> run.fetch(root));
            }
        } else {
            done = run.all(plan.roots());
        }
        return done.thenApply(x -> run.result());
    }

    /** One execution; its data tree is shared by fetches completing on any thread, so it is touched under its lock. */
    private static final class Run {
        final Map<String, Object> variables;
        final Subgraphs subgraphs;
        final Map<String, Object> data = new LinkedHashMap<>();
        final List<Map<String, Object>> errors = new ArrayList<>();

        Run(Map<String, Object> variables, Subgraphs subgraphs) {
            this.variables = variables;
            this.subgraphs = subgraphs;
        }

        synchronized Result result() {
            return new Result(data, errors);
        }

        CompletionStage<Void> all(List<Fetch> fetches) {
            return CompletableFuture.allOf(fetches.stream().map(f -> fetch(f).toCompletableFuture()).toArray(CompletableFuture[]::new));
        }

        CompletionStage<Void> fetch(Fetch fetch) {
            Map<String, Object> given = variablesOf(fetch, variables);
            if (fetch.entityType() == null) {
                return call(fetch, given, data -> merge(this.data, data), List.of());
            }
            List<List<Object>> targetPaths = new ArrayList<>();
            List<Map<String, Object>> targets = new ArrayList<>();
            // One representation per distinct key, remembering every object it came from (read under the lock: a sibling
            // fetch at the same path may be merging into these objects).
            Map<Object, List<Integer>> byKey = new LinkedHashMap<>();
            synchronized (this) {
                gather(data, fetch.path(), 0, new ArrayList<>(), targets, targetPaths);
                for (int i = 0; i < targets.size(); i++) {
                    Object key = targets.get(i).get(Fetch.keyAlias(fetch.key()));
                    if (key != null) {
                        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                    }
                }
            }
            if (byKey.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            List<Map<String, Object>> representations = new ArrayList<>();
            List<List<List<Object>>> entityPaths = new ArrayList<>();
            for (Map.Entry<Object, List<Integer>> key : byKey.entrySet()) {
                Map<String, Object> representation = new LinkedHashMap<>();
                representation.put("__typename", fetch.entityType());
                representation.put(fetch.key(), key.getKey());
                representations.add(representation);
                entityPaths.add(key.getValue().stream().map(targetPaths::get).toList());
            }
            given.put(Fetch.REPRESENTATIONS, representations);
            List<List<Integer>> owners = List.copyOf(byKey.values());
            return call(fetch, given, data -> {
                if (!(data.get("_entities") instanceof List<?> entities) || entities.size() != owners.size()) {
                    throw new IllegalStateException(fetch.graph() + " answered _entities with another number of entities than asked");
                }
                for (int e = 0; e < entities.size(); e++) {
                    if (entities.get(e) instanceof Map<?, ?> entity) {
                        for (int target : owners.get(e)) {
                            merge(targets.get(target), cast(entity));
                        }
                    }
                }
            }, entityPaths);
        }

        /** Calls the fetch's subgraph, applies its data under the lock, keeps its errors, then runs what depends on it. */
        private CompletionStage<Void> call(Fetch fetch, Map<String, Object> given, Consumer<Map<String, Object>> apply,
                                           List<List<List<Object>>> entityPaths) {
            return subgraphs.call(fetch.graph(), fetch.query(), given).handle((response, failure) -> {
                synchronized (this) {
                    if (failure != null) {
                        errors.add(error(fetch.graph() + " could not be reached or answered no GraphQL response: " + rootCause(failure).getMessage(),
                                null, "SUBGRAPH_UNAVAILABLE", fetch.graph()));
                        return false;
                    }
                    if (response.get("errors") instanceof List<?> list) {
                        for (Object e : list) {
                            if (e instanceof Map<?, ?> error) {
                                errors.addAll(clientErrors(cast(error), fetch, entityPaths));
                            }
                        }
                    }
                    if (response.get("data") instanceof Map<?, ?> received) {
                        try {
                            apply.accept(cast(received));
                        } catch (RuntimeException e) {
                            errors.add(error(e.getMessage(), null, "SUBGRAPH_INVALID_RESPONSE", fetch.graph()));
                            return false;
                        }
                        return true;
                    }
                    return false;
                }
            }).thenCompose(ok -> ok ? all(fetch.dependents()) : CompletableFuture.completedFuture(null));
        }

        /**
         * The subgraph's error as the client sees it: with its path in the client's response — one error for every place
         * an entity stands when the error is inside {@code _entities} (as Apollo's gateway, which sends an entity once per
         * place, reports it) — and no locations (they are the subgraph document's).
         */
        private static List<Map<String, Object>> clientErrors(Map<String, Object> error, Fetch fetch, List<List<List<Object>>> entityPaths) {
            Map<String, Object> extensions = new LinkedHashMap<>();
            if (error.get("extensions") instanceof Map<?, ?> given) {
                extensions.putAll(cast(given));
            }
            extensions.putIfAbsent("code", "DOWNSTREAM_SERVICE_ERROR");
            extensions.put("serviceName", fetch.graph());
            String message = error.get("message") instanceof String m ? m : "error in " + fetch.graph();
            List<List<Object>> paths = new ArrayList<>();
            if (error.get("path") instanceof List<?> p) {
                if (fetch.entityType() == null) {
                    paths.add(new ArrayList<>(p));
                } else if (p.size() >= 2 && "_entities".equals(p.get(0)) && p.get(1) instanceof Number n && n.intValue() < entityPaths.size()) {
                    for (List<Object> at : entityPaths.get(n.intValue())) {
                        List<Object> path = new ArrayList<>(at);
                        path.addAll(p.subList(2, p.size()));
                        paths.add(path);
                    }
                }
            }
            if (paths.isEmpty()) {
                paths.add(null);
            }
            List<Map<String, Object>> mapped = new ArrayList<>();
            for (List<Object> path : paths) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("message", message);
                if (path != null) {
                    one.put("path", path);
                }
                one.put("extensions", extensions);
                mapped.add(one);
            }
            return mapped;
        }

        private static Map<String, Object> error(String message, List<Object> path, String code, String graph) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", message);
            if (path != null) {
                error.put("path", path);
            }
            Map<String, Object> extensions = new LinkedHashMap<>();
            extensions.put("code", code);
            extensions.put("serviceName", graph);
            error.put("extensions", extensions);
            return error;
        }

        private static Throwable rootCause(Throwable failure) {
            Throwable cause = failure;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            return cause;
        }
    }

    /** The client's variables {@code fetch}'s document uses (one it does not give takes the document's default). */
    public static Map<String, Object> variablesOf(Fetch fetch, Map<String, Object> variables) {
        Map<String, Object> given = new LinkedHashMap<>();
        for (String name : fetch.variables()) {
            if (variables.containsKey(name)) {
                given.put(name, variables.get(name));
            }
        }
        return given;
    }

    /** Collects the objects at {@code path} from {@code at} (nulls skipped) with their paths in the response. */
    private static void gather(Object at, List<String> path, int step, List<Object> where, List<Map<String, Object>> into,
                               List<List<Object>> paths) {
        if (at == null) {
            return;
        }
        if (step == path.size()) {
            if (at instanceof Map<?, ?> object) {
                into.add(cast(object));
                paths.add(List.copyOf(where));
            }
            return;
        }
        String key = path.get(step);
        if (Fetch.EACH.equals(key)) {
            if (at instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    where.add(i);
                    gather(list.get(i), path, step + 1, where, into, paths);
                    where.remove(where.size() - 1);
                }
            }
        } else if (at instanceof Map<?, ?> object) {
            where.add(key);
            gather(object.get(key), path, step + 1, where, into, paths);
            where.remove(where.size() - 1);
        }
    }

    /** Merges {@code from} into {@code into}: objects field by field, lists of objects item by item. */
    static void merge(Map<String, Object> into, Map<String, Object> from) {
        for (Map.Entry<String, Object> entry : from.entrySet()) {
            Object old = into.get(entry.getKey());
            Object value = entry.getValue();
            if (old instanceof Map<?, ?> o && value instanceof Map<?, ?> v) {
                merge(cast(o), cast(v));
            } else if (old instanceof List<?> o && value instanceof List<?> v && o.size() == v.size()) {
                mergeLists(o, v);
            } else {
                into.put(entry.getKey(), value);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void mergeLists(List<?> into, List<?> from) {
        for (int i = 0; i < into.size(); i++) {
            Object old = into.get(i);
            Object value = from.get(i);
            if (old instanceof Map<?, ?> o && value instanceof Map<?, ?> v) {
                merge(cast(o), cast(v));
            } else if (old instanceof List<?> o && value instanceof List<?> v && o.size() == v.size()) {
                mergeLists(o, v);
            } else if (old == null && value != null) {
                ((List<Object>) into).set(i, value);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
