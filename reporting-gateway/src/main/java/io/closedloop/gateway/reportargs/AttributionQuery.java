package io.closedloop.gateway.reportargs;

import io.closedloop.gateway.reportargs.ReportArguments.Model;
import io.closedloop.gateway.reportargs.ReportArguments.Period;

/**
 * Builds the attribution-service operations the gateway forwards. Arguments are written as GraphQL
 * literals from already-checked values (dates, names from a fixed list, numbers), so the gateway
 * needs no knowledge of the subgraph's input type names. Pure: no Quarkus.
 */
public final class AttributionQuery {

    private AttributionQuery() {
    }

    /** One whole report in one subgraph call: every row, not a call per row. */
    public static String report(Period period, Model model, String basis, String groupBy) {
        return "{ attribution(period: " + period(period) + ", model: " + model(model) + ", basis: " + basis
                + ", groupBy: " + groupBy + ") { rows { key credit amount opportunities } removalEffects { channel effect } dataAsOf } }";
    }

    public static String journey(String opportunityId, Model model, String basis) {
        return "{ journey(opportunityId: " + string(opportunityId) + ", model: " + model(model) + ", basis: " + basis
                + ") { opportunityId amount touches { touchId occurredAt channel touchType milestones credit amount } dataAsOf } }";
    }

    static String period(Period period) {
        return "{from: " + string(period.from().toString()) + ", to: " + string(period.to().toString()) + "}";
    }

    static String model(Model model) {
        StringBuilder out = new StringBuilder("{name: ").append(model.name());
        if (model.halfLifeDays() != null) {
            out.append(", halfLifeDays: ").append(model.halfLifeDays());
        }
        if (model.lookbackDays() != null) {
            out.append(", lookbackDays: ").append(model.lookbackDays());
        }
        if (model.weights() != null) {
            var w = model.weights();
            out.append(", weights: {ft: ").append(w.ft()).append(", lc: ").append(w.lc()).append(", oc: ").append(w.oc())
                    .append(", cw: ").append(w.cw()).append(", middle: ").append(w.middle()).append('}');
        }
        if (model.markovOrder() != null) {
            out.append(", markovOrder: ").append(model.markovOrder());
        }
        return out.append('}').toString();
    }

    /** A GraphQL string literal; escapes quotes, backslashes and control characters. */
    static String string(String value) {
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
