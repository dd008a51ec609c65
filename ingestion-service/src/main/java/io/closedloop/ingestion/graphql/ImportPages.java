package io.closedloop.ingestion.graphql;

import io.closedloop.plumbing.graphql.PageInfo;
import io.closedloop.ingestion.ImportJob;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Relay connections of import jobs and of a job's rejected rows, and their cursors: opaque to callers (base64url of
 * {@code row:<n>} or {@code job:<created_at in µs>:<id>}), so a cursor of one list is refused by the other. One explicit
 * record per GraphQL type: SmallRye GraphQL would name a generic {@code Connection<T>} {@code Connection_ImportJob}.
 */
public final class ImportPages {

    /** Most jobs in one page of {@code importJobs}. */
    static final int MAX_JOBS = 200;
    /** Most rejected rows in one page of {@code ImportJob.errors}. */
    static final int MAX_ERRORS = 100;

    static final String NOT_A_CURSOR = ": not a cursor this API returned";
    /** A job's creation time in a cursor: from 1970 to the end of year 9999 (µs), which PostgreSQL takes. */
    static final long MAX_MICROS = 253_402_300_799_999_999L;
    /** A job id in a cursor (ids are UUIDs). */
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f-]{36}");

    private ImportPages() {
    }

    @Name("ImportJobConnection")
    @Description("A page of import jobs, newest first (Relay connection).")
    public record ImportJobConnection(@NonNull List<@NonNull ImportJobEdge> edges, @NonNull PageInfo pageInfo,
                                      @Description("Import jobs the workspace has.") int totalCount) {
    }

    @Name("ImportJobEdge")
    public record ImportJobEdge(@Description("Pass as after to get the jobs older than this one.") @NonNull String cursor,
                                @NonNull ImportJob node) {
    }

    @Name("ImportErrorConnection")
    @Description("A page of a job's rejected rows in row order (Relay connection).")
    public record ImportErrorConnection(@NonNull List<@NonNull ImportErrorEdge> edges, @NonNull PageInfo pageInfo,
                                        @Description("The rejected rows the job keeps (the first"
                                                + " closedloop.ingestion.imports.max-errors-kept, 100 by default); rowsRejected"
                                                + " counts them all.") int totalCount) {
    }

    @Name("ImportErrorEdge")
    public record ImportErrorEdge(@Description("Pass as after to get the rows after this one.") @NonNull String cursor,
                                  @NonNull ImportJob.RowError node) {
    }


    /** Where {@code importJobs} continues: after the job created at {@code createdAt} with {@code id} (newest first). */
    record JobPosition(OffsetDateTime createdAt, String id) {
    }

    /** {@code first} checked against {@code max}. */
    static int first(String argument, int first, int max) {
        if (first < 1 || first > max) {
            throw new IllegalArgumentException(argument + ": must be between 1 and " + max + ", was " + first);
        }
        return first;
    }

    /** The position of an {@code importJobs} cursor; null for none. */
    static JobPosition jobPosition(String argument, String after) {
        if (after == null) {
            return null;
        }
        String[] parts = decode(argument, after, "job:").split(":", 2);
        long micros;
        try {
            micros = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(argument + NOT_A_CURSOR);
        }
        if (micros < 0 || micros > MAX_MICROS || parts.length < 2 || !JOB_ID.matcher(parts[1]).matches()) {
            throw new IllegalArgumentException(argument + NOT_A_CURSOR);
        }
        return new JobPosition(Instant.EPOCH.plus(micros, ChronoUnit.MICROS).atOffset(ZoneOffset.UTC), parts[1]);
    }

    /**
     * A page of jobs from those read for it, newest first: {@code fetched} holds up to {@code first + 1} of them, the one
     * past the page only telling that more follow. Jobs are never deleted, so some precede a page that has a cursor.
     */
    static ImportJobConnection jobs(List<ImportJob> fetched, int first, boolean afterACursor, int totalCount) {
        List<ImportJobEdge> edges = new ArrayList<>();
        for (ImportJob job : fetched.subList(0, Math.min(first, fetched.size()))) {
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, job.createdAt().toInstant());
            edges.add(new ImportJobEdge(encode("job:" + micros + ":" + job.id()), job));
        }
        return new ImportJobConnection(edges, new PageInfo(fetched.size() > first, afterACursor,
                edges.isEmpty() ? null : edges.get(0).cursor(), edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor()),
                totalCount);
    }

    /** The row an {@code ImportJob.errors} cursor stands at; 0 (before the first row) for none. */
    static long errorRow(String argument, String after) {
        if (after == null) {
            return 0;
        }
        long row;
        try {
            row = Long.parseLong(decode(argument, after, "row:"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(argument + NOT_A_CURSOR);
        }
        if (row < 1) {
            throw new IllegalArgumentException(argument + NOT_A_CURSOR);
        }
        return row;
    }

    /** A page of a job's kept errors (in row order): {@code first} of those after row {@code afterRow}. */
    static ImportErrorConnection errors(List<ImportJob.RowError> kept, int first, long afterRow) {
        List<ImportErrorEdge> edges = new ArrayList<>();
        boolean before = false;
        boolean more = false;
        for (ImportJob.RowError e : kept) {
            if (e.row() <= afterRow) {
                before = true;
            } else if (edges.size() < first) {
                edges.add(new ImportErrorEdge(encode("row:" + e.row()), e));
            } else {
                more = true;
                break;
            }
        }
        return new ImportErrorConnection(edges, new PageInfo(more, before, edges.isEmpty() ? null : edges.get(0).cursor(),
                edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor()), kept.size());
    }

    /** A cursor: base64url of {@code position}. */
    static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** What follows {@code prefix} in the decoded cursor; an error naming {@code argument} when it is not such a cursor. */
    static String decode(String argument, String cursor, String prefix) {
        String position;
        try {
            position = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + NOT_A_CURSOR);
        }
        if (!position.startsWith(prefix)) {
            throw new IllegalArgumentException(argument + NOT_A_CURSOR);
        }
        return position.substring(prefix.length());
    }
}
