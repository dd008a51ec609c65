package io.closedloop.ingestion.segment;

import java.time.OffsetDateTime;

/** An identity fact ready to store (table {@code identity_fact}); JSON columns are JSON text. */
public record FactRow(String id, String kind, OffsetDateTime occurredAt, String identifiers, String account, String raw) {
}
