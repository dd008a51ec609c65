package io.closedloop.gateway.reportargs;

import io.vertx.core.json.JsonObject;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds the attribution-service operations the gateway forwards. attribution-service takes the public schema's inputs
 * and enums (PeriodInput, ModelInput, Basis, Dimension, ...), so each argument travels unchanged as a variable of the
 * same type: the document is the same for every period, model and weights, and the subgraph parses and validates it
 * once. Pure: no Quarkus.
 */
public final class AttributionQuery {

    private AttributionQuery() {
    }

    /** An operation with its variables (absent arguments are left out, so the subgraph's defaults apply). */
    public record Operation(String query, Map<String, Object> variables) {
    }

    /** One argument of the field asked: its name, its GraphQL type and its value (null: left out). */
    public record Argument(String name, String type, Object value) {
    }

    /**
     * {@code field(arguments)} with the selection of every component of {@code type}, the arguments as variables; records
     * (in lists too) become JSON objects and enums their names.
     */
    public static Operation of(String field, Class<?> type, Argument... arguments) {
        StringJoiner declared = new StringJoiner(", ", "(", ")").setEmptyValue("");
        StringJoiner passed = new StringJoiner(", ", "(", ")").setEmptyValue("");
        Map<String, Object> variables = new LinkedHashMap<>();
        for (Argument argument : arguments) {
            if (argument.value() != null) {
                declared.add("$" + argument.name() + ": " + argument.type());
                passed.add(argument.name() + ": $" + argument.name());
                variables.put(argument.name(), json(argument.value()));
            }
        }
        String selection = type.isRecord() ? " " + selection(type) : "";
        return new Operation("query" + declared + " { " + field + passed + selection + " }", variables);
    }

    private static Object json(Object value) {
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Record) {
            return JsonObject.mapFrom(value).getMap();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AttributionQuery::json).toList();
        }
        return value;
    }

    /**
     * The selection set asking for every component of a gateway record, nested records and lists of
     * records included: the gateway's types carry the subgraph's field names, so the type is the query.
     */
    static String selection(Class<?> type) {
        StringJoiner fields = new StringJoiner(" ", "{ ", " }");
        for (RecordComponent component : type.getRecordComponents()) {
            Class<?> nested = component.getType();
            if (component.getGenericType() instanceof ParameterizedType list && List.class.isAssignableFrom(nested)) {
                nested = (Class<?>) list.getActualTypeArguments()[0];
            }
            fields.add(nested.isRecord() ? component.getName() + " " + selection(nested) : component.getName());
        }
        return fields.toString();
    }
}
