package io.closedloop.attribution.recompute;

import io.agroal.api.AgroalDataSource;
import io.closedloop.attribution.recompute.RecomputeProgress.PartitionProgress;
import io.quarkus.logging.Log;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import io.closedloop.plumbing.feed.FeedLeases;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts full recomputes in the background (one thread per running partition) and reports their
 * progress. Several replicas (or the pods of an indexed Job) share one recompute by each asking
 * for a different partition with the same partition count.
 */
@ApplicationScoped
public class RecomputeService {

    private final AgroalDataSource dataSource;
    private final RollupRecompute recompute;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rollup-recompute");
        t.setDaemon(true);
        return t;
    });

    private final int defaultPartitions;
    private final Duration leaseTtl;
    /** Partitions claimed here per generation being built ("workspace/generation"): this replica's part of the share. */
    private final Map<String, Integer> claimedHere = new ConcurrentHashMap<>();

    /**
     * @param partitions how many partitions a recompute started without a partition count is split
     *                   into, all run here in parallel (each holds three JDBC connections while it runs)
     * @param partitionMemory the sums a running partition holds before writing them out as a part of the generation
     */
    public RecomputeService(AgroalDataSource dataSource,
                            @ConfigProperty(name = "closedloop.recompute.partitions") Optional<Integer> partitions,
                            @ConfigProperty(name = "closedloop.recompute.partition-memory", defaultValue = "48M") MemorySize partitionMemory,
                            @ConfigProperty(name = "closedloop.feeds.lease-ttl", defaultValue = "6s") Duration leaseTtl) {
        this.dataSource = dataSource;
        this.recompute = new RollupRecompute(dataSource, FeedLeases.REPLICA, partitionMemory.asLongValue());
        this.leaseTtl = leaseTtl;
        // PostgreSQL's join and sort and the models' Java run in every partition's own processes and threads.
        this.defaultPartitions = Math.max(1, partitions.orElse(Math.min(Runtime.getRuntime().availableProcessors(), 4)));
    }

    /** The partition count of a recompute started without one. */
    public int defaultPartitions() {
        return defaultPartitions;
    }

    /**
     * Starts a recompute in {@link #defaultPartitions()} partitions: claims this replica's share of those not yet claimed
     * and runs them here in parallel; the other live replicas claim the rest ({@link #helpRecomputes()}).
     */
    public RecomputeProgress startAll(String workspace) throws SQLException {
        int share = share(defaultPartitions);
        for (int partition = 0; partition < defaultPartitions; partition++) {
            RollupRecompute.Job job = recompute.claim(workspace, partition, defaultPartitions);
            run(workspace, job);
            if (job != null && claimedHere.merge(workspace + "/" + job.generation, 1, Integer::sum) >= share) {
                break;
            }
        }
        return progress(workspace);
    }

    /** How long a partition may wait for the replica whose share it is before any replica claims it. */
    static final Duration UNCLAIMED_GRACE = Duration.ofSeconds(10);

    /**
     * Shares the recomputes being built among the live replicas (those marked in {@code feed_replica}, as the feed
     * leases count them): claims partitions no replica has claimed yet, up to this replica's share of each recompute
     * (its partitions divided by the live replicas, rounded up), and any of them once the recompute has waited
     * {@link #UNCLAIMED_GRACE} (a replica that died before taking its share). Called every second by the feed consumers.
     */
    public void helpRecomputes() throws SQLException {
        record Building(String workspace, int generation, int partitions, Set<Integer> claimed, boolean overdue) {
        }
        List<Building> building = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("""
                     select r.workspace_id, r.building, r.building_partitions,
                            array(select p.partition from recompute_partition p
                                  where p.workspace_id = r.workspace_id and p.generation = r.building),
                            coalesce((select min(p.started_at) < now() - ? * interval '1 millisecond' from recompute_partition p
                                      where p.workspace_id = r.workspace_id and p.generation = r.building), false)
                     from rollup_state r where r.building is not null""")) {
            s.setLong(1, UNCLAIMED_GRACE.toMillis());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Set<Integer> claimed = new HashSet<>(Arrays.asList((Integer[]) r.getArray(4).getArray()));
                    building.add(new Building(r.getString(1), r.getInt(2), r.getInt(3), claimed, r.getBoolean(5)));
                }
            }
        }
        Set<String> current = new HashSet<>();
        for (Building b : building) {
            String key = b.workspace() + "/" + b.generation();
            current.add(key);
            int share = share(b.partitions());
            for (int partition = 0; partition < b.partitions(); partition++) {
                if (b.claimed().contains(partition) || (claimedHere.getOrDefault(key, 0) >= share && !b.overdue())) {
                    continue;
                }
                RollupRecompute.Job job = recompute.claim(b.workspace(), partition, b.partitions());
                if (job != null) {
                    claimedHere.merge(b.workspace() + "/" + job.generation, 1, Integer::sum);
                    Log.infof("rollup recompute of workspace %s generation %d: partition %d/%d taken by %s", b.workspace(),
                            job.generation, partition, b.partitions(), FeedLeases.REPLICA);
                }
                run(b.workspace(), job);
            }
        }
        claimedHere.keySet().retainAll(current);
    }

    /** This replica's share of {@code partitions}: divided among the live replicas, rounded up. */
    private int share(int partitions) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "select greatest(1, count(*)) from feed_replica where seen_at > now() - ? * interval '1 millisecond'")) {
            s.setLong(1, leaseTtl.toMillis());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                int live = r.getInt(1);
                return (partitions + live - 1) / live;
            }
        }
    }

    /** Claims the partition (blocking, short), runs it in the background, returns the progress. */
    public RecomputeProgress start(String workspace, int partition, int partitions) throws SQLException {
        run(workspace, recompute.claim(workspace, partition, partitions));
        return progress(workspace);
    }

    /**
     * Ends catch-up mode (IncrementalRollups): starts a full recompute of every workspace whose
     * rollups a far-behind feed left not ready, and clears the mark. The caller calls it once every
     * feed consumer is caught up. Emits the workspaces it started.
     */
    public List<String> finishCatchUps() throws SQLException {
        List<String> workspaces = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "select workspace_id from rollup_state where catching_up and not ready and building is null")) {
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    workspaces.add(r.getString(1));
                }
            }
        }
        for (String workspace : workspaces) {
            startAll(workspace);
            try (Connection c = dataSource.getConnection();
                 PreparedStatement s = c.prepareStatement("update rollup_state set catching_up = false where workspace_id = ?")) {
                s.setString(1, workspace);
                s.executeUpdate();
            }
            Log.infof("feeds caught up: full recompute of workspace %s started", workspace);
        }
        return workspaces;
    }

    private void run(String workspace, RollupRecompute.Job job) {
        if (job != null) {
            int partition = job.partition;
            int partitions = job.partitions;
            executor.execute(() -> {
                try {
                    boolean swapped = job.run();
                    Log.infof("rollup recompute of workspace %s generation %d partition %d/%d done in %d part(s)%s", workspace,
                            job.generation, partition, partitions, job.parts, swapped ? "; generation swapped in" : "");
                } catch (Exception e) {
                    Log.errorf(e, "rollup recompute of workspace %s generation %d partition %d/%d failed", workspace,
                            job.generation, partition, partitions);
                }
            });
        }
    }

    public RecomputeProgress progress(String workspace) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            int current = 0;
            boolean ready = false;
            Integer building = null;
            try (PreparedStatement s = c.prepareStatement(
                    "select generation, ready, building from rollup_state where workspace_id = ?")) {
                s.setString(1, workspace);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        current = r.getInt(1);
                        ready = r.getBoolean(2);
                        building = (Integer) r.getObject(3);
                    }
                }
            }
            int generation = 0;
            try (PreparedStatement s = c.prepareStatement(
                    "select coalesce(max(generation), 0) from recompute_partition where workspace_id = ?")) {
                s.setString(1, workspace);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    generation = building != null ? building : r.getInt(1);
                }
            }
            List<PartitionProgress> parts = new ArrayList<>();
            int partitions = 0;
            int done = 0;
            int total = 0;
            boolean failed = false;
            boolean running = false;
            try (PreparedStatement s = c.prepareStatement("select partition, partitions, state, accounts_done, accounts_total,"
                    + " error, started_at, updated_at from recompute_partition where workspace_id = ? and generation = ?"
                    + " order by partition")) {
                s.setString(1, workspace);
                s.setInt(2, generation);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        partitions = r.getInt(2);
                        String state = r.getString(3);
                        parts.add(new PartitionProgress(r.getInt(1), state, r.getInt(4), r.getInt(5), r.getString(6),
                                r.getTimestamp(7).toInstant().toString(), r.getTimestamp(8).toInstant().toString()));
                        done += r.getInt(4);
                        total += r.getInt(5);
                        failed |= "FAILED".equals(state);
                        running |= "RUNNING".equals(state) || "WRITING".equals(state);
                    }
                }
            }
            String state = parts.isEmpty() ? "NONE" : failed ? "FAILED"
                    : running || parts.size() < partitions || building != null ? "RUNNING" : "DONE";
            return new RecomputeProgress(generation, state, current, ready, done, total, partitions, parts);
        }
    }
}
