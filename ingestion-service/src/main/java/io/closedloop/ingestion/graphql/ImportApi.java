package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.ImportJob;
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

import java.util.List;

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
    @Description("The workspace's latest CSV imports, newest first (role ingest or admin).")
    public Uni<List<@NonNull ImportJob>> importJobs(@DefaultValue("20") int limit) {
        if (limit < 1 || limit > 200) {
            throw new IllegalArgumentException("importJobs.limit: must be 1 to 200");
        }
        return imports.list(caller.workspaceFor(Roles.INGEST, Roles.ADMIN), limit);
    }
}
