package io.closedloop.ingestion;

import java.time.OffsetDateTime;

/** A stored CRM account (table crm_account): what ingestion tells about it beyond identity's name and domains. */
public record CrmAccount(String id, String industry, OffsetDateTime createdAt) {
}
