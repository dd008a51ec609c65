package io.closedloop.ingestion;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import java.time.OffsetDateTime;
import java.util.List;

/** A CSV import and its progress, readable while it runs. */
@Description("A CSV import (POST /imports/{kind}) and its progress; rows are committed in chunks as it goes.")
public record ImportJob(
        @Id @NonNull String id,
        @Description("accounts, contacts, opportunities, stage-history, revenue, spend, offline-touches or exchange-rates") @NonNull String kind,
        @Description("salesforce, hubspot, fields (the fields' own names as column titles) or custom (a JSON column map)") @NonNull String mapping,
        @Description("RUNNING, SUCCEEDED (every row read; some may be rejected) or FAILED (see message)") @NonNull String state,
        @Description("Data rows read so far (the header not counted).") long rowsRead,
        @Description("Rows stored (created, updated or unchanged).") long rowsAccepted,
        @Description("Rows rejected; the first of them are listed in errors.") long rowsRejected,
        @NonNull List<@NonNull RowError> errors,
        String message,
        @NonNull OffsetDateTime createdAt,
        OffsetDateTime finishedAt) {

    @Description("A rejected row: its number among the data rows (1 = the first after the header), its id and the field at fault.")
    public record RowError(long row, String id, String field, @NonNull String error) {
    }
}
