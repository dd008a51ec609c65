package io.closedloop.ingestion;

import io.closedloop.ingestion.csv.ImportKind;
import io.closedloop.ingestion.csv.ImportMapping;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A CSV import and its progress, readable while it runs. {@code keptErrors} are the first {@code max-errors-kept} rejected
 * rows in row order; GraphQL pages them as {@code errors} (graphql/ImportApi).
 */
@Description("A CSV import (POST /imports/{kind}) and its progress; rows are committed in chunks as it goes.")
public record ImportJob(
        @Id @NonNull String id,
        @NonNull ImportKind kind,
        @NonNull ImportMapping mapping,
        @NonNull ImportState state,
        @Description("Data rows read so far (the header not counted).") long rowsRead,
        @Description("Rows stored (created, updated or unchanged).") long rowsAccepted,
        @Description("Rows rejected; the first of them are listed in errors.") long rowsRejected,
        @Ignore List<RowError> keptErrors,
        String message,
        @NonNull OffsetDateTime createdAt,
        OffsetDateTime finishedAt) {

    @Description("A rejected row: its number among the data rows (1 = the first after the header), its id and the field at fault.")
    public record RowError(long row, String id, String field, @NonNull String error) {
    }
}
