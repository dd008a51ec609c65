package io.closedloop.ingestion.segment;

import java.time.OffsetDateTime;

/** A touch ready to store (table {@code touch}); JSON columns are JSON text. */
public record TouchRow(String id, OffsetDateTime occurredAt, String type, String identifiers, String channel,
                       String source, String medium, String campaign, String content, String term, String referrer,
                       String url, String clickIds, String event, boolean utmValid, String raw) {
}
