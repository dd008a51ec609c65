package io.closedloop.gateway.federation;

import graphql.language.Argument;
import graphql.language.AstPrinter;
import graphql.language.Field;
import graphql.language.InlineFragment;
import graphql.language.ListType;
import graphql.language.NonNullType;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.TypeName;
import graphql.language.VariableDefinition;
import graphql.language.VariableReference;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans an operation into subgraph fetches over the {@link Supergraph}: root fields go to the subgraph that owns them,
 * grouped (a query's groups run in parallel; a mutation's consecutive fields of one subgraph form one fetch, run in
 * order). Within a fetch, every field the subgraph resolves stays in it; fields of an entity it does not resolve go to
 * one {@code _entities} fetch per subgraph and path, for which the fetch brings the entity's key. So a query crossing
 * three subgraphs over 50 accounts costs one call per subgraph per level, not per account. Response keys are the
 * client's, so each subgraph's data lands where the client asked for it. Enforces the limits before any fetch. Pure.
 */
public final class QueryPlanner {

    /** The limits of DESIGN §6: nesting depth, fields in all (introspection not counted), root fields (aliases counted). */
    public record Limits(int depth, int fields, int rootFields) {
    }

    private static final String LIMIT = "QUERY_LIMIT_EXCEEDED";

    private final Supergraph supergraph;
    private final Limits limits;

    public QueryPlanner(Supergraph supergraph, Limits limits) {
        this.supergraph = supergraph;
        this.limits = limits;
    }

    /** The plan of {@code operation}; a {@link RequestException} when it exceeds a limit or is a subscription. */
    public QueryPlan plan(Operation operation) {
        if (operation.isSubscription()) {
            throw new RequestException("subscriptions are not offered", "OPERATION_NOT_SUPPORTED");
        }
        Map<String, List<Field>> roots = operation.rootFields();
        if (roots.size() > limits.rootFields()) {
            throw new RequestException("the operation selects " + roots.size() + " root fields (aliases counted); at most "
                    + limits.rootFields() + " are allowed", LIMIT);
        }
        checkDepth(operation, roots, 1);
        Planning planning = new Planning(operation);
        GraphQLObjectType rootType = operation.isMutation() ? supergraph.apiSchema().getMutationType() : supergraph.apiSchema().getQueryType();
        if (rootType == null) {
            throw new RequestException("the schema has no " + operation.definition().getOperation().name().toLowerCase() + " type",
                    "OPERATION_RESOLUTION_FAILURE", true);
        }
        boolean introspects = false;
        List<Draft> drafts = new ArrayList<>();
        Map<String, Draft> byGraph = new LinkedHashMap<>();
        Draft last = null;
        for (Map.Entry<String, List<Field>> root : roots.entrySet()) {
            String name = root.getValue().get(0).getName();
            if (name.startsWith("__")) {
                introspects |= !name.equals("__typename");
                planning.gatewayWrites = true;
                continue;
            }
            String graph = supergraph.graphsResolving(rootType.getName(), name).get(0);
            Draft draft;
            if (operation.isMutation()) {
                // Mutations run in field order: only consecutive fields of one subgraph share a fetch.
                draft = last != null && last.graph.equals(graph) ? last : new Draft(graph, null, null, List.of());
            } else {
                draft = byGraph.computeIfAbsent(graph, g -> new Draft(g, null, null, List.of()));
            }
            if (draft != last && !drafts.contains(draft)) {
                drafts.add(draft);
            }
            last = draft;
            Map<String, List<Field>> one = new LinkedHashMap<>();
            one.put(root.getKey(), root.getValue());
            draft.selections.addAll(planning.select(graph, rootType, one, List.of(), draft, 1));
        }
        if (planning.fieldCount > limits.fields()) {
            throw new RequestException("maximum query complexity exceeded: " + planning.fieldCount + " fields, at most " + limits.fields(), LIMIT);
        }
        List<Fetch> fetches = drafts.stream().map(d -> planning.freeze(d, operation.definition().getOperation())).toList();
        boolean whole = fetches.size() == 1 && fetches.get(0).dependents().isEmpty() && !planning.gatewayWrites;
        return new QueryPlan(operation, operation.isMutation(), fetches, introspects, whole);
    }

    /** Introspection included: a deep {@code __schema} query costs as much as any. */
    private void checkDepth(Operation operation, Map<String, List<Field>> fields, int depth) {
        if (depth > limits.depth()) {
            throw new RequestException("maximum query depth exceeded: deeper than " + limits.depth(), LIMIT);
        }
        for (List<Field> group : fields.values()) {
            if (group.get(0).getSelectionSet() != null) {
                checkDepth(operation, operation.subfields(group), depth + 1);
            }
        }
    }

    /** A fetch being planned. */
    private static final class Draft {
        final String graph;
        final String entityType;
        final String key;
        final List<String> path;
        final List<Selection> selections = new ArrayList<>();
        final List<Draft> dependents = new ArrayList<>();

        Draft(String graph, String entityType, String key, List<String> path) {
            this.graph = graph;
            this.entityType = entityType;
            this.key = key;
            this.path = path;
        }
    }

    /** The planning of one operation. */
    private final class Planning {
        final Operation operation;
        int fieldCount;
        /** Whether the answer has fields the gateway writes itself (__typename, introspection). */
        boolean gatewayWrites;

        Planning(Operation operation) {
            this.operation = operation;
        }

        /**
         * The selections {@code graph} answers for {@code fields} of {@code type} at {@code path}, within {@code fetch}; the
         * fields it does not resolve become entity fetches depending on {@code fetch}.
         */
        List<Selection> select(String graph, GraphQLObjectType type, Map<String, List<Field>> fields, List<String> path, Draft fetch, int depth) {
            List<Selection> selections = new ArrayList<>();
            Map<String, Map<String, List<Field>>> elsewhere = new LinkedHashMap<>();
            for (Map.Entry<String, List<Field>> entry : fields.entrySet()) {
                Field field = entry.getValue().get(0);
                if (field.getName().startsWith("__")) {
                    gatewayWrites = true;
                    continue; // __typename is written by the gateway; introspection is answered by it
                }
                fieldCount++;
                List<String> graphs = supergraph.graphsResolving(type.getName(), field.getName());
                if (graphs.contains(graph)) {
                    selections.add(subgraphField(graph, type.getFieldDefinition(field.getName()), entry.getKey(), entry.getValue(), path, fetch, depth));
                } else {
                    String other = graphs.stream().filter(g -> supergraph.key(type.getName(), g) != null).findFirst()
                            .orElseThrow(() -> new IllegalStateException(type.getName() + "." + field.getName()
                                    + " is resolved by no subgraph reachable from " + graph));
                    elsewhere.computeIfAbsent(other, g -> new LinkedHashMap<>()).put(entry.getKey(), entry.getValue());
                }
            }
            for (Map.Entry<String, Map<String, List<Field>>> other : elsewhere.entrySet()) {
                String key = supergraph.key(type.getName(), other.getKey());
                Draft entities = fetch.dependents.stream()
                        .filter(d -> d.graph.equals(other.getKey()) && d.entityType.equals(type.getName()) && d.path.equals(path))
                        .findFirst().orElseGet(() -> {
                            Draft d = new Draft(other.getKey(), type.getName(), key, path);
                            fetch.dependents.add(d);
                            return d;
                        });
                entities.selections.addAll(select(other.getKey(), type, other.getValue(), path, entities, depth));
                selections.add(Field.newField("__typename").build());
                selections.add(Field.newField(key).alias(Fetch.keyAlias(key)).build());
            }
            if (selections.isEmpty()) {
                selections.add(Field.newField("__typename").build()); // a selection set may not be empty
            }
            return selections;
        }

        private Field subgraphField(String graph, GraphQLFieldDefinition definition, String responseKey, List<Field> group, List<String> path,
                                    Draft fetch, int depth) {
            Field asked = group.get(0);
            Field.Builder field = Field.newField(asked.getName()).arguments(asked.getArguments());
            if (!responseKey.equals(asked.getName())) {
                field.alias(responseKey);
            }
            GraphQLType type = definition.getType();
            if (GraphQLTypeUtil.unwrapAll(type) instanceof GraphQLObjectType object) {
                List<String> inner = new ArrayList<>(path);
                inner.add(responseKey);
                for (GraphQLType t = type; GraphQLTypeUtil.isWrapped(t); t = GraphQLTypeUtil.unwrapOne(t)) {
                    if (t instanceof GraphQLList) {
                        inner.add(Fetch.EACH);
                    }
                }
                field.selectionSet(SelectionSet.newSelectionSet(select(graph, object, operation.subfields(group), List.copyOf(inner), fetch, depth + 1)).build());
            }
            return field.build();
        }

        Fetch freeze(Draft draft, OperationDefinition.Operation kind) {
            SelectionSet selections = SelectionSet.newSelectionSet(draft.selections).build();
            Set<String> used = new LinkedHashSet<>();
            Operation.variablesIn(selections, used);
            List<VariableDefinition> definitions = new ArrayList<>();
            if (draft.entityType != null) {
                definitions.add(VariableDefinition.newVariableDefinition(Fetch.REPRESENTATIONS,
                        NonNullType.newNonNullType(ListType.newListType(NonNullType.newNonNullType(TypeName.newTypeName("_Any").build()).build()).build()).build()).build());
                selections = SelectionSet.newSelectionSet().selection(Field.newField("_entities")
                        .arguments(List.of(Argument.newArgument("representations", VariableReference.newVariableReference().name(Fetch.REPRESENTATIONS).build()).build()))
                        .selectionSet(SelectionSet.newSelectionSet().selection(InlineFragment.newInlineFragment()
                                .typeCondition(TypeName.newTypeName(draft.entityType).build()).selectionSet(selections).build()).build())
                        .build()).build();
                kind = OperationDefinition.Operation.QUERY;
            }
            for (VariableDefinition definition : operation.definition().getVariableDefinitions()) {
                if (used.contains(definition.getName())) {
                    definitions.add(definition.transform(b -> b.directives(List.of())));
                }
            }
            String query = AstPrinter.printAstCompact(OperationDefinition.newOperationDefinition().operation(kind)
                    .variableDefinitions(definitions).selectionSet(selections).build());
            List<Fetch> dependents = draft.dependents.stream().map(d -> freeze(d, OperationDefinition.Operation.QUERY)).toList();
            return new Fetch(draft.graph, draft.entityType, draft.key, draft.path, query, List.copyOf(used), dependents);
        }
    }
}
