package io.closedloop.attribution.recompute;

import org.eclipse.microprofile.graphql.Description;

import java.util.List;

/** Progress of the workspace's latest full recompute of its rollups. */
@Description("Progress of the workspace's latest full recompute of its rollups.")
public record RecomputeProgress(
        @Description("The generation being built (or last built); 0 when none ever ran.") int generation,
        @Description("NONE (never ran), RUNNING (some partition still running or writing), DONE, FAILED.") String state,
        @Description("The generation reports read now.") int currentGeneration,
        @Description("False while reports compute on demand because the rollups are incomplete.") boolean ready,
        @Description("Accounts with opportunities done, over every partition that started.") int accountsDone,
        @Description("Accounts with opportunities to do, over every partition that started.") int accountsTotal,
        @Description("The partitions' count (the partitions argument).") int partitions,
        List<PartitionProgress> partitionProgress) {

    @Description("One partition (account hash range) of a full recompute.")
    public record PartitionProgress(int partition, String state, int accountsDone, int accountsTotal, String error,
                                    String startedAt, String updatedAt) {
    }
}
