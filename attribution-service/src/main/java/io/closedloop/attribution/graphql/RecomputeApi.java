package io.closedloop.attribution.graphql;

import io.closedloop.attribution.recompute.RecomputeProgress;
import io.closedloop.attribution.recompute.RecomputeService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.sql.SQLException;

/** Full recompute of the materialized credits (RecomputeService). */
@GraphQLApi
public class RecomputeApi {

    static final int MAX_PARTITIONS = 1024;

    private final RecomputeService recompute;
    private final Caller caller;

    public RecomputeApi(RecomputeService recompute, Caller caller) {
        this.recompute = recompute;
        this.caller = caller;
    }

    @Mutation
    @Description("Recomputes the workspace's rollups of the standard models from its stored touches, memberships and"
            + " opportunities, in the background, into a new generation that replaces the current one at once when"
            + " every partition is done. Without partitions, this replica runs every partition of the configured count"
            + " (closedloop.recompute.partitions, default its cores up to 4) in parallel. Several replicas share the"
            + " work by each calling with their own partition and the same partitions count. Calling again for a running"
            + " or finished partition only returns the progress.")
    public @NonNull RecomputeProgress recomputeRollups(
            @DefaultValue("0") @Description("This caller's share: accounts whose hash mod partitions equals it;"
                    + " only with partitions.") int partition,
            @Description("Into how many account-hash ranges the recompute is split (1 to 1024); omitted: all of the"
                    + " configured count, here.") Integer partitions) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        if (partitions != null && (partitions < 1 || partitions > MAX_PARTITIONS)) {
            throw new IllegalArgumentException("recomputeRollups.partitions: must be 1 to " + MAX_PARTITIONS + ", was " + partitions);
        }
        int count = partitions == null ? 1 : partitions;
        if (partition < 0 || partition >= count) {
            throw new IllegalArgumentException(partitions == null
                    ? "recomputeRollups.partition: only with partitions, was " + partition
                    : "recomputeRollups.partition: must be 0 to " + (count - 1) + ", was " + partition);
        }
        try {
            return partitions == null ? recompute.startAll(workspace) : recompute.start(workspace, partition, partitions);
        } catch (SQLException e) {
            throw new IllegalStateException("recomputeRollups: database error", e);
        }
    }

    @Query
    @Description("Progress of the workspace's latest full recompute of its rollups.")
    public @NonNull RecomputeProgress rollupRecompute() {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        try {
            return recompute.progress(workspace);
        } catch (SQLException e) {
            throw new IllegalStateException("rollupRecompute: database error", e);
        }
    }
}
