package io.closedloop.gateway.federation;

import graphql.language.Field;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLOutputType;
import graphql.schema.GraphQLSchema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the merged subgraph data the client's answer, as GraphQL execution would have written it: exactly the fields
 * asked, in the order asked, {@code __typename} written from the schema, the keys the gateway fetched for itself left
 * out, and a null where a non-null field has none (a failed fetch, a missing entity) made its parent null, up to the
 * nearest nullable field, as Apollo's gateway does. Such a null is explained by the subgraph's error; where there is
 * none it is described under {@code extensions.valueCompletion}. Pure.
 */
public final class ResponseShaper {

    /** The client's data (null when a null reached the root) and the nulls in non-null places nothing explained. */
    public record Shaped(Map<String, Object> data, List<Map<String, Object>> valueCompletion) {
    }

    /** Written where a null in a non-null place makes the enclosing value null. */
    private static final Object BUBBLE = new Object();

    private final Operation operation;
    private final Map<String, Object> introspection;
    private final List<Map<String, Object>> valueCompletion = new ArrayList<>();

    private ResponseShaper(Operation operation, Map<String, Object> introspection) {
        this.operation = operation;
        this.introspection = introspection;
    }

    /**
     * The client's answer to {@code operation} from the merged {@code data}; {@code introspection} holds the answers to
     * root {@code __schema}/{@code __type} fields by response key.
     */
    public static Shaped shape(GraphQLSchema schema, Operation operation, Map<String, Object> data, Map<String, Object> introspection) {
        ResponseShaper shaper = new ResponseShaper(operation, introspection);
        GraphQLObjectType root = operation.isMutation() ? schema.getMutationType() : schema.getQueryType();
        Object shaped = shaper.object(root, operation.rootFields(), data, new ArrayList<>(), true);
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = shaped == BUBBLE ? null : (Map<String, Object>) shaped;
        return new Shaped(answer, shaper.valueCompletion);
    }

    private Object object(GraphQLObjectType type, Map<String, List<Field>> fields, Map<?, ?> source, List<Object> path, boolean root) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Field>> entry : fields.entrySet()) {
            String key = entry.getKey();
            String name = entry.getValue().get(0).getName();
            if (name.equals("__typename")) {
                out.put(key, type.getName());
                continue;
            }
            if (root && name.startsWith("__")) {
                out.put(key, introspection.get(key));
                continue;
            }
            path.add(key);
            Object value = value(type.getFieldDefinition(name).getType(), entry.getValue(), source.get(key), path, type);
            path.remove(path.size() - 1);
            if (value == BUBBLE) {
                return BUBBLE;
            }
            out.put(key, value);
        }
        return out;
    }

    private Object value(GraphQLOutputType type, List<Field> group, Object raw, List<Object> path, GraphQLObjectType parent) {
        if (type instanceof GraphQLNonNull nonNull) {
            Object value = value((GraphQLOutputType) nonNull.getWrappedType(), group, raw, path, parent);
            if (value == null && raw == null) {
                Map<String, Object> problem = new LinkedHashMap<>();
                problem.put("message", "Cannot return null for non-nullable " + (path.get(path.size() - 1) instanceof String field
                        ? "field " + parent.getName() + "." + field : "array element at index " + path.get(path.size() - 1)) + ".");
                problem.put("path", List.copyOf(path));
                valueCompletion.add(problem);
                return BUBBLE;
            }
            return value == null ? BUBBLE : value; // null here: a null within it bubbled up, already described
        }
        if (raw == null) {
            return null;
        }
        if (type instanceof GraphQLList list) {
            if (!(raw instanceof List<?> items)) {
                return null;
            }
            List<Object> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                path.add(i);
                Object item = value((GraphQLOutputType) list.getWrappedType(), group, items.get(i), path, parent);
                path.remove(path.size() - 1);
                if (item == BUBBLE) {
                    return null;
                }
                out.add(item);
            }
            return out;
        }
        if (type instanceof GraphQLObjectType object) {
            if (!(raw instanceof Map<?, ?> source)) {
                return null;
            }
            Object shaped = object(object, operation.subfields(group), source, path, false);
            return shaped == BUBBLE ? null : shaped;
        }
        return raw;
    }
}
