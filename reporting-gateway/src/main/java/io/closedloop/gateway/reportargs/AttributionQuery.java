package io.closedloop.gateway.reportargs;

import io.closedloop.gateway.reportargs.ReportArguments.Model;
import io.closedloop.gateway.reportargs.ReportArguments.Period;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds the attribution-service operations the gateway forwards. Arguments are written as GraphQL
 * literals from already-checked values (dates, names from a fixed list, numbers), so the gateway
 * needs no knowledge of the subgraph's input type names; except {@link #performance}, which sends
 * variables (and so names the subgraph's types: Basis, Dimension, CustomWeights, JourneyScope).
 * Pure: no Quarkus.
 */
public final class AttributionQuery {

    private AttributionQuery() {
    }

    /** An operation with its variables (absent arguments are left out, so the subgraph's defaults apply). */
    public record Operation(String query, Map<String, Object> variables) {
    }

    /**
     * One whole report in one subgraph call: every row, not a call per row. {@code row} is the gateway's row type.
     * The arguments travel as variables, so the document is the same for every period, model and weights and the
     * subgraph parses and validates it once (the most asked report, and custom weights change with every slider move).
     */
    /** @param first the most rows asked for (the largest); the answer's totalRows counts them all */
    public static Operation performance(Period period, Model model, String basis, String groupBy, int first, Class<? extends Record> row) {
        String fields = selection(row);
        String query = "query Performance($from: String!, $to: String!, $model: String, $basis: Basis, $groupBy: Dimension,"
                + " $halfLifeDays: Float, $lookbackDays: Int, $markovOrder: Int, $customWeights: CustomWeights,"
                + " $journeyScope: JourneyScope, $first: Int) { performance(from: $from, to: $to, model: $model, basis: $basis,"
                + " groupBy: $groupBy, halfLifeDays: $halfLifeDays, lookbackDays: $lookbackDays, markovOrder: $markovOrder,"
                + " customWeights: $customWeights, journeyScope: $journeyScope, first: $first) { dataAsOf totalRows rows " + fields
                + " totals " + fields + " } }";
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("first", first);
        variables.put("from", period.from().toString());
        // attribution-service takes 'to' exclusive; the public period is inclusive of its last day.
        variables.put("to", period.to().plusDays(1).toString());
        variables.put("model", model.name().toLowerCase(java.util.Locale.ROOT));
        variables.put("basis", basis);
        variables.put("groupBy", groupBy);
        putIfPresent(variables, "halfLifeDays", model.halfLifeDays());
        putIfPresent(variables, "lookbackDays", model.lookbackDays());
        putIfPresent(variables, "markovOrder", model.markovOrder());
        putIfPresent(variables, "journeyScope", model.journeyScope());
        if (model.weights() != null) {
            var w = model.weights();
            variables.put("customWeights", Map.of("firstTouch", w.ft(), "leadCreation", w.lc(), "opportunityCreation", w.oc(),
                    "closedWon", w.cw(), "middle", w.middle()));
        }
        return new Operation(query, variables);
    }

    private static void putIfPresent(Map<String, Object> variables, String name, Object value) {
        if (value != null) {
            variables.put(name, value);
        }
    }

    public static String creditedOpportunities(Period period, Model model, String basis, String groupBy, String key, int first,
                                               Class<? extends Record> type) {
        return "{ creditedOpportunities(" + period(period) + ", " + model(model, true) + ", basis: " + basis + ", groupBy: "
                + groupBy + (key == null ? "" : ", key: " + string(key)) + ", first: " + first + ") " + selection(type) + " }";
    }

    /** A report whose arguments are the period and {@code arguments} (already GraphQL literals, may be empty). */
    public static String periodReport(String operation, Period period, String arguments, Class<? extends Record> type) {
        return "{ " + operation + "(" + period(period) + (arguments.isEmpty() ? "" : ", " + arguments) + ") " + selection(type) + " }";
    }

    public static String accountView(String accountId, int first, Class<? extends Record> type) {
        return "{ accountView(accountId: " + string(accountId) + ", first: " + first + ") " + selection(type) + " }";
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

    private static String period(Period period) {
        // attribution-service takes 'to' exclusive; the public period is inclusive of its last day.
        return "from: " + string(period.from().toString()) + ", to: " + string(period.to().plusDays(1).toString());
    }

    public static String journey(String opportunityId, Model model, String basis) {
        return "{ journey(opportunityId: " + string(opportunityId) + ", " + model(model, false) + ", basis: " + basis
                + ") { opportunityId amount dataAsOf touches { id occurredAt type channel firstTouch leadCreation"
                + " opportunityCreation closedWon credit amount } } }";
    }

    /** The subgraph's model arguments: a lower-case name, flat parameters and the custom weights input. */
    static String model(Model model, boolean withMarkovOrder) {
        StringBuilder out = new StringBuilder("model: ").append(string(model.name().toLowerCase(java.util.Locale.ROOT)));
        if (model.weights() != null) {
            var w = model.weights();
            out.append(", customWeights: {firstTouch: ").append(w.ft()).append(", leadCreation: ").append(w.lc())
                    .append(", opportunityCreation: ").append(w.oc()).append(", closedWon: ").append(w.cw())
                    .append(", middle: ").append(w.middle()).append('}');
        }
        if (model.halfLifeDays() != null) {
            out.append(", halfLifeDays: ").append(model.halfLifeDays());
        }
        if (model.lookbackDays() != null) {
            out.append(", lookbackDays: ").append(model.lookbackDays());
        }
        if (withMarkovOrder && model.markovOrder() != null) {
            out.append(", markovOrder: ").append(model.markovOrder());
        }
        if (model.journeyScope() != null) {
            out.append(", journeyScope: ").append(model.journeyScope());
        }
        return out.toString();
    }

    /** A GraphQL string literal; escapes quotes, backslashes and control characters. */
    public static String string(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
