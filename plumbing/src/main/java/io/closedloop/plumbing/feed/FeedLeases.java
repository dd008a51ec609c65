package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shares a service's feed consumers (one per stream partition) among its replicas through leases in the service's own
 * database (DESIGN §8): tables {@code feed_replica(owner, seen_at)} and {@code feed_lease(name, owner, epoch,
 * expires_at)}. Every {@code ttl / 3} each replica marks itself alive, and the live replicas (seen within {@code ttl},
 * by the database's clock) split the consumers between them the same way: sorted by name, the i-th to the
 * (i mod k)-th live replica. A replica takes a lease that is free, expired or its own (a new owner increments the
 * epoch), starts the consumer under that epoch ({@link FeedConsumer#start(long)}: fenced), and releases what is now
 * another's. A replica that stops releases its leases at once; one that dies loses them when they expire, so its
 * partitions move within {@code ttl} plus one renewal. Adding a replica needs no configuration: it is alive, so the
 * split changes.
 */
public final class FeedLeases {

    private final Vertx vertx;
    private final Pool pool;
    private final String owner;
    private final Duration ttl;
    private final Map<String, FeedConsumer> consumers = new HashMap<>();
    private final List<String> names;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile long timer = -1;

    /**
     * @param owner this replica's name (unique among live replicas: the pod's name and a random suffix)
     * @param ttl   how long a lease outlives its last renewal; renewals come every third of it
     */
    public FeedLeases(Vertx vertx, Pool pool, String owner, Duration ttl, List<FeedConsumer> consumers) {
        this.vertx = vertx;
        this.pool = pool;
        this.owner = owner;
        this.ttl = ttl;
        consumers.forEach(c -> this.consumers.put(c.positionKey(), c));
        this.names = List.copyOf(new TreeSet<>(this.consumers.keySet()));
    }

    /** A name for this process among the replicas: the host's (a pod's name) and a random suffix, new at each start. */
    public static String replicaName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "replica");
        return host + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** This replica's name in {@code feed_replica} and {@code feed_lease}. */
    public String owner() {
        return owner;
    }

    /** The names of the consumers this replica runs now. */
    public Set<String> held() {
        Set<String> held = new TreeSet<>();
        consumers.forEach((name, c) -> {
            if (c.running()) {
                held.add(name);
            }
        });
        return held;
    }

    public void start() {
        renew();
        timer = vertx.setPeriodic(Math.max(1, ttl.toMillis() / 3), id -> renew());
    }

    /** Stops every consumer and gives their leases back at once, so that the other replicas take them at their next renewal. */
    public Uni<Void> stop() {
        halt();
        return pool.preparedQuery("update feed_lease set owner = null, expires_at = now() where owner = $1").execute(Tuple.of(owner))
                .chain(() -> pool.preparedQuery("delete from feed_replica where owner = $1").execute(Tuple.of(owner)))
                .replaceWithVoid();
    }

    /** Stops renewing and consuming as a crash would, leases left to expire (what a killed replica leaves behind). */
    public void halt() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        consumers.values().forEach(FeedConsumer::stop);
    }

    private void renew() {
        if (!renewing.compareAndSet(false, true)) {
            return; // the last renewal is still waiting on the database
        }
        renewOnce().subscribe().with(done -> renewing.set(false), failure -> {
            renewing.set(false);
            Log.warnf("feed leases of %s not renewed: %s; retrying", owner, failure.getMessage());
        });
    }

    /** One renewal: alive, the split among the live replicas, this replica's share taken, the rest given back. */
    Uni<Void> renewOnce() {
        long ttlMillis = ttl.toMillis();
        return pool.preparedQuery("insert into feed_replica (owner, seen_at) values ($1, now())"
                        + " on conflict (owner) do update set seen_at = now()").execute(Tuple.of(owner))
                .chain(() -> pool.preparedQuery("select owner from feed_replica where seen_at > now() - $1::bigint * interval '1 millisecond'"
                        + " order by owner").execute(Tuple.of(ttlMillis)))
                .chain(rows -> {
                    List<String> live = new ArrayList<>();
                    for (Row row : rows) {
                        live.add(row.getString(0));
                    }
                    List<String> mine = share(names, live, owner);
                    return acquire(mine, ttlMillis).chain(granted -> {
                        List<String> release = new ArrayList<>();
                        consumers.forEach((name, consumer) -> {
                            Long epoch = granted.get(name);
                            if (epoch == null) {
                                if (consumer.running()) {
                                    consumer.stop();
                                    Log.infof("feed %s: handed over by %s", name, owner);
                                }
                                if (!mine.contains(name)) {
                                    release.add(name);
                                }
                            } else if (!consumer.running() || consumer.epoch() != epoch) {
                                consumer.start(epoch);
                                Log.infof("feed %s: taken by %s (epoch %d)", name, owner, epoch);
                            }
                        });
                        return pool.preparedQuery("update feed_lease set owner = null, expires_at = now()"
                                        + " where owner = $1 and name = any($2)")
                                .execute(Tuple.of(owner, release.toArray(new String[0])));
                    });
                })
                .chain(() -> pool.preparedQuery("delete from feed_replica where seen_at < now() - interval '1 hour'").execute())
                .replaceWithVoid();
    }

    /** The leases of {@code mine} this replica holds now (free, expired or already its own), with their epochs. */
    private Uni<Map<String, Long>> acquire(List<String> mine, long ttlMillis) {
        return pool.preparedQuery("insert into feed_lease (name, owner, epoch, expires_at)"
                        + " select n, $1, 1, now() + $2::bigint * interval '1 millisecond' from unnest($3::text[]) n"
                        + " on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at,"
                        + " epoch = case when feed_lease.owner = excluded.owner then feed_lease.epoch else feed_lease.epoch + 1 end"
                        + " where feed_lease.owner = excluded.owner or feed_lease.owner is null or feed_lease.expires_at < now()"
                        + " returning name, epoch")
                .execute(Tuple.of(owner, ttlMillis, mine.toArray(new String[0])))
                .map(rows -> {
                    Map<String, Long> granted = new HashMap<>();
                    for (Row row : rows) {
                        granted.put(row.getString("name"), row.getLong("epoch"));
                    }
                    return granted;
                });
    }

    /**
     * The names {@code owner} should hold among {@code live} replicas: sorted names dealt round-robin to the sorted
     * replicas, the same on every replica that sees the same live set. A replica not (yet) seen alive holds nothing.
     */
    static List<String> share(List<String> sortedNames, List<String> live, String owner) {
        List<String> replicas = new ArrayList<>(new TreeSet<>(live));
        int index = replicas.indexOf(owner);
        List<String> mine = new ArrayList<>();
        if (index < 0) {
            return mine;
        }
        for (int i = 0; i < sortedNames.size(); i++) {
            if (i % replicas.size() == index) {
                mine.add(sortedNames.get(i));
            }
        }
        return mine;
    }
}
