package io.closedloop.gateway.federation;

import graphql.language.AstPrinter;
import graphql.language.BooleanValue;
import graphql.language.Definition;
import graphql.language.Directive;
import graphql.language.DirectivesContainer;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.Node;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.Value;
import graphql.language.VariableDefinition;
import graphql.language.VariableReference;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operation a client asked for, from a document already validated against the public schema, with its variables:
 * collects the fields of a selection the way GraphQL execution does (fragments expanded, {@code @skip}/{@code @include}
 * applied, fields of one response key merged). The public schema has object types only, so a fragment valid where it
 * is spread applies there. Pure.
 */
public final class Operation {

    private final OperationDefinition definition;
    private final Map<String, FragmentDefinition> fragments = new LinkedHashMap<>();
    private final Map<String, Object> variables;

    private Operation(Document document, OperationDefinition definition, Map<String, Object> variables) {
        this.definition = definition;
        this.variables = variables;
        document.getDefinitionsOfType(FragmentDefinition.class).forEach(f -> fragments.put(f.getName(), f));
    }

    /** The operation named {@code operationName} (or the document's only one) of a valid {@code document}. */
    public static Operation of(Document document, String operationName, Map<String, Object> variables) {
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        OperationDefinition chosen;
        if (operationName == null || operationName.isEmpty()) {
            if (operations.size() != 1) {
                throw new RequestException("operationName: the document has " + operations.size() + " operations; name the one to run",
                        "OPERATION_RESOLUTION_FAILURE", true);
            }
            chosen = operations.get(0);
        } else {
            chosen = operations.stream().filter(o -> operationName.equals(o.getName())).findFirst()
                    .orElseThrow(() -> new RequestException("operationName: the document has no operation '" + operationName + "'",
                            "OPERATION_RESOLUTION_FAILURE", true));
        }
        return new Operation(document, chosen, variables == null ? Map.of() : variables);
    }

    public OperationDefinition definition() {
        return definition;
    }

    public boolean isMutation() {
        return definition.getOperation() == OperationDefinition.Operation.MUTATION;
    }

    public boolean isSubscription() {
        return definition.getOperation() == OperationDefinition.Operation.SUBSCRIPTION;
    }

    /** The client's variables, as sent. */
    public Map<String, Object> variables() {
        return variables;
    }

    /** The root fields, by response key. */
    public Map<String, List<Field>> rootFields() {
        return fields(List.of(definition.getSelectionSet()));
    }

    /** The fields the merged fields {@code group} select, by response key in the order execution would give them. */
    public Map<String, List<Field>> subfields(List<Field> group) {
        List<SelectionSet> sets = new ArrayList<>();
        for (Field field : group) {
            if (field.getSelectionSet() != null) {
                sets.add(field.getSelectionSet());
            }
        }
        return fields(sets);
    }

    /**
     * The operation reduced to its root introspection fields ({@code __schema}, {@code __type}), as a document with the
     * fragments and variables they use: what a plain GraphQL executor over the public schema answers.
     */
    public String introspectionOnly() {
        List<Selection> roots = new ArrayList<>();
        rootFields().values().forEach(group -> group.stream().filter(f -> f.getName().equals("__schema") || f.getName().equals("__type"))
                .forEach(roots::add));
        Map<String, FragmentDefinition> used = new LinkedHashMap<>();
        roots.forEach(r -> fragmentsIn(r, used));
        Set<String> variablesUsed = new HashSet<>();
        roots.forEach(r -> variablesIn(r, variablesUsed));
        used.values().forEach(f -> variablesIn(f, variablesUsed));
        List<Definition> definitions = new ArrayList<>();
        definitions.add(definition.transform(b -> b.selectionSet(SelectionSet.newSelectionSet(roots).build()).directives(List.of())
                .variableDefinitions(definition.getVariableDefinitions().stream().filter(v -> variablesUsed.contains(v.getName())).toList())));
        definitions.addAll(used.values());
        return AstPrinter.printAstCompact(Document.newDocument().definitions(definitions).build());
    }

    /** The fragments {@code node} spreads, transitively. */
    private void fragmentsIn(Node<?> node, Map<String, FragmentDefinition> into) {
        if (node instanceof FragmentSpread spread && !into.containsKey(spread.getName())) {
            FragmentDefinition fragment = fragments.get(spread.getName());
            into.put(spread.getName(), fragment);
            fragmentsIn(fragment, into);
        }
        for (Node<?> child : node.getChildren()) {
            fragmentsIn(child, into);
        }
    }

    /** The variables {@code node} and what it holds refer to (not through fragment spreads). */
    static void variablesIn(Node<?> node, Set<String> into) {
        if (node instanceof VariableReference reference) {
            into.add(reference.getName());
        }
        for (Node<?> child : node.getChildren()) {
            variablesIn(child, into);
        }
    }

    private Map<String, List<Field>> fields(List<SelectionSet> sets) {
        Map<String, List<Field>> fields = new LinkedHashMap<>();
        for (SelectionSet set : sets) {
            collect(set, fields);
        }
        return fields;
    }

    private void collect(SelectionSet set, Map<String, List<Field>> into) {
        for (Selection<?> selection : set.getSelections()) {
            if (!included((DirectivesContainer<?>) selection)) {
                continue;
            }
            if (selection instanceof Field field) {
                into.computeIfAbsent(field.getResultKey(), k -> new ArrayList<>()).add(field);
            } else if (selection instanceof InlineFragment inline) {
                collect(inline.getSelectionSet(), into);
            } else if (selection instanceof FragmentSpread spread) {
                collect(fragments.get(spread.getName()).getSelectionSet(), into);
            }
        }
    }

    private boolean included(DirectivesContainer<?> element) {
        for (Directive skip : element.getDirectives("skip")) {
            if (condition(skip)) {
                return false;
            }
        }
        for (Directive include : element.getDirectives("include")) {
            if (!condition(include)) {
                return false;
            }
        }
        return true;
    }

    private boolean condition(Directive directive) {
        Value<?> value = directive.getArgument("if").getValue();
        if (value instanceof BooleanValue b) {
            return b.isValue();
        }
        String name = ((VariableReference) value).getName();
        if (variables.get(name) instanceof Boolean given) {
            return given;
        }
        return definition.getVariableDefinitions().stream().filter(d -> d.getName().equals(name)).map(VariableDefinition::getDefaultValue)
                .filter(BooleanValue.class::isInstance).map(v -> ((BooleanValue) v).isValue()).findFirst().orElse(false);
    }
}
