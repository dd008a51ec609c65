package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
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

    /** This process's name among the replicas: the host's (a pod's name) and a random suffix, new at each start. */
    public static final String REPLICA = System.getenv().getOrDefault("HOSTNAME", "replica") + "-"
            + java.util.UUID.randomUUID().toString().substring(0, 8);

    private final Vertx vertx;
    private final Pool pool;
    private final String owner;
    private final Duration ttl;
    private final Map<String, FeedConsumer> consumers = new HashMap<>();
    private final List<String> names;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile long timer = -1;
    /** The renewals' own connection: pages waiting on a workspace lock may hold every other one for a while. */
    private SqlConnection connection;

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
        stopped = false;
        renew();
        timer = vertx.setPeriodic(Math.max(1, ttl.toMillis() / 3), id -> renew());
    }

    /** Stops every consumer and gives their leases back at once, so that the other replicas take them at their next renewal. */
    public Uni<Void> stop() {
        halt();
        // A renewal in flight sees `stopped` and gives back what it took after this.
        return releaseAll(pool).chain(() -> pool.preparedQuery("delete from feed_replica where owner = $1").execute(Tuple.of(owner)))
                .replaceWithVoid();
    }

    /** Gives back every lease of this replica. */
    private Uni<Void> releaseAll(SqlClient db) {
        return db.preparedQuery("update feed_lease set owner = null, expires_at = now() where owner = $1").execute(Tuple.of(owner))
                .replaceWithVoid();
    }

    /**
     * Whether every consumer of the service (every lease name) is held by a live replica that reported it caught up at
     * its last renewal: a catch-up of the whole service, not only of this replica's share, is over.
     */
    public Uni<Boolean> allCaughtUp() {
        return pool.preparedQuery("select count(*) from feed_lease where name = any($1) and owner is not null"
                        + " and expires_at > now() and caught_up")
                .execute(Tuple.of(names.toArray(new String[0])))
                .map(rows -> rows.iterator().next().getLong(0) == names.size());
    }

    /** Stops renewing and consuming as a crash would, leases left to expire (what a killed replica leaves behind). */
    public void halt() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        consumers.values().forEach(FeedConsumer::stop);
        SqlConnection open = connection;
        connection = null;
        if (open != null) {
            open.closeAndForget();
        }
    }

    private void renew() {
        if (!renewing.compareAndSet(false, true)) {
            return; // the last renewal is still waiting on the database
        }
        connection().chain(this::renewOnce).subscribe().with(done -> renewing.set(false), failure -> {
            renewing.set(false);
            SqlConnection broken = connection;
            connection = null;
            if (broken != null) {
                broken.closeAndForget();
            }
            Log.warnf("feed leases of %s not renewed: %s; retrying", owner, failure.getMessage());
        });
    }

    private Uni<SqlConnection> connection() {
        SqlConnection open = connection;
        return open != null ? Uni.createFrom().item(open) : pool.getConnection().invoke(c -> connection = c);
    }

    /** One renewal: alive, the split among the live replicas, this replica's share taken, the rest given back. */
    private Uni<Void> renewOnce(SqlConnection db) {
        long ttlMillis = ttl.toMillis();
        return db.preparedQuery("insert into feed_replica (owner, seen_at) values ($1, now())"
                        + " on conflict (owner) do update set seen_at = now()").execute(Tuple.of(owner))
                .chain(() -> db.preparedQuery("select owner from feed_replica where seen_at > now() - $1::bigint * interval '1 millisecond'"
                        + " order by owner").execute(Tuple.of(ttlMillis)))
                .chain(rows -> {
                    List<String> live = new ArrayList<>();
                    for (Row row : rows) {
                        live.add(row.getString(0));
                    }
                    List<String> mine = share(names, live, owner);
                    return acquire(db, mine, ttlMillis).chain(granted -> {
                        if (stopped) {
                            return releaseAll(db);
                        }
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
                            } else if (!stopped && (!consumer.running() || consumer.epoch() != epoch)) {
                                consumer.start(epoch, owner);
                                Log.infof("feed %s: taken by %s (epoch %d)", name, owner, epoch);
                            }
                        });
                        return release.isEmpty() ? Uni.createFrom().voidItem() : db.preparedQuery("update feed_lease"
                                        + " set owner = null, expires_at = now() where owner = $1 and name = any($2)")
                                .execute(Tuple.of(owner, release.toArray(new String[0]))).replaceWithVoid();
                    });
                })
                .chain(() -> db.preparedQuery("delete from feed_replica where seen_at < now() - interval '1 hour'").execute())
                .replaceWithVoid();
    }

    /**
     * The leases of {@code mine} this replica holds now (free, expired or already its own), with their epochs, and whether
     * each of its consumers is caught up. A new owner's epoch is above the lease's and the position's (a position stamped
     * by an owner whose lease row is gone, after a reset of the leases, is fenced out all the same).
     */
    private Uni<Map<String, Long>> acquire(SqlConnection db, List<String> mine, long ttlMillis) {
        Boolean[] caughtUp = new Boolean[mine.size()];
        for (int i = 0; i < caughtUp.length; i++) {
            FeedConsumer consumer = consumers.get(mine.get(i));
            caughtUp[i] = consumer.running() && consumer.caughtUp();
        }
        return db.preparedQuery("insert into feed_lease (name, owner, epoch, expires_at, caught_up)"
                        + " select n, $1, coalesce((select p.epoch from feed_position p where p.stream = n), 0) + 1,"
                        + " now() + $2::bigint * interval '1 millisecond', c from unnest($3::text[], $4::bool[]) as t(n, c)"
                        + " on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at,"
                        + " caught_up = excluded.caught_up,"
                        + " epoch = case when feed_lease.owner = excluded.owner then greatest(feed_lease.epoch, excluded.epoch - 1)"
                        + " else greatest(feed_lease.epoch + 1, excluded.epoch) end"
                        + " where feed_lease.owner = excluded.owner or feed_lease.owner is null or feed_lease.expires_at < now()"
                        + " returning name, epoch")
                .execute(Tuple.of(owner, ttlMillis, mine.toArray(new String[0]), caughtUp))
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
