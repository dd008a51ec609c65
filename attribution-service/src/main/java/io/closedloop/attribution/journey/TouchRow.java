package io.closedloop.attribution.journey;

import io.closedloop.attribution.TouchType;
import io.closedloop.attribution.model.Touch;
import io.closedloop.attribution.report.Dimension;

import java.time.Instant;
import java.util.Set;

/**
 * A touch of an account's journey as every journey reads it (on demand, in the incremental rollups and in the full
 * recompute), with every person of that account it was resolved to (a named person and a shared mailbox quarantined
 * into a person of its own can both carry one touch); empty where a path does not read them (the rollups are of the
 * account scope).
 */
public record TouchRow(String id, Instant occurredAt, String type, String channel, String source, String medium,
                       String campaign, String content, Set<String> personIds) {

    /** The touch as the models read it. */
    public Touch modelTouch() {
        return new Touch(id, occurredAt.toEpochMilli(), channel, TouchType.isFormFill(type));
    }

    /** This touch's group in a report grouped by {@code groupBy}; {@link Dimension#NO_VALUE} without a value. */
    public String key(Dimension groupBy) {
        String value = switch (groupBy) {
            case CHANNEL -> channel;
            case SOURCE -> source;
            case MEDIUM -> medium;
            case CAMPAIGN -> campaign;
            case CONTENT -> content;
            case TOUCH_TYPE -> type;
        };
        return value == null ? Dimension.NO_VALUE : value;
    }
}
