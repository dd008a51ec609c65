package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.ImportJob;
import io.closedloop.ingestion.graphql.ImportPages.ImportErrorConnection;
import io.closedloop.ingestion.graphql.ImportPages.ImportJobConnection;
import io.closedloop.ingestion.graphql.ImportPages.JobPosition;
import io.closedloop.ingestion.service.ImportService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

/** CSV import jobs of the caller's workspace: started by {@code POST /imports/{kind}}, followed here. */
@GraphQLApi
public class ImportApi {

    private final ImportService imports;
    private final Caller caller;

    public ImportApi(ImportService imports, Caller caller) {
        this.imports = imports;
        this.caller = caller;
    }

    @Query
    @Description("A CSV import of the caller's workspace with its progress and first rejected rows (role ingest or admin); null when unknown.")
    public Uni<ImportJob> importJob(@NonNull @Id String id) {
        return imports.find(caller.workspaceFor(Roles.INGEST, Roles.ADMIN), id);
    }

    @Query
    @Description("The workspace's CSV imports, newest first, a page at a time forward (role ingest or admin). first: 1 to "
            + ImportPages.MAX_JOBS + "; after: the endCursor of the previous page. A cursor is the job's place (creation time, id),"
            + " not a position: a job started while paging comes before the first page and never shifts a later one.")
    public Uni<@NonNull ImportJobConnection> importJobs(@DefaultValue("20") int first, String after) {
        int n = ImportPages.first("importJobs.first", first, ImportPages.MAX_JOBS);
        JobPosition position = ImportPages.jobPosition("importJobs.after", after);
        String workspace = caller.workspaceFor(Roles.INGEST, Roles.ADMIN);
        return imports.count(workspace).chain(total -> imports.list(workspace, position == null ? null : position.createdAt(),
                        position == null ? null : position.id(), n + 1)
                .map(jobs -> ImportPages.jobs(jobs, n, position != null, total)));
    }

    /** The kept errors are on the job already: a page of them is computed in place (a Uni: no worker thread needed). */
    @Description("The job's first rejected rows (up to closedloop.ingestion.imports.max-errors-kept, 100 by default) in row"
            + " order, a page at a time forward. first: 1 to " + ImportPages.MAX_ERRORS + "; after: the endCursor of the previous page.")
    public Uni<@NonNull ImportErrorConnection> errors(@Source ImportJob job, @DefaultValue("100") int first, String after) {
        return Uni.createFrom().item(() -> ImportPages.errors(job.keptErrors(),
                ImportPages.first("ImportJob.errors.first", first, ImportPages.MAX_ERRORS),
                ImportPages.errorRow("ImportJob.errors.after", after)));
    }
}
