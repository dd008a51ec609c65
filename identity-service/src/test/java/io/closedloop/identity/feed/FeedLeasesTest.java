package io.closedloop.identity.feed;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedClient;
import io.closedloop.plumbing.feed.FeedConsumer;
import io.closedloop.plumbing.feed.FeedItem;
import io.closedloop.plumbing.feed.FeedLeases;
import io.closedloop.plumbing.feed.FeedMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.closedloop.plumbing.feed.FeedPartition;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas share a feed's partitions through leases (plumbing FeedLeases) and apply each item exactly once: two
 * replicas split four partitions of this service's own memberships feed (a real producer, read over HTTP); one dies in
 * the middle of a page, the other takes its partitions within the lease's expiry and applies that page, and the dead
 * replica's page, let go afterwards, is rolled back by the fence instead of applied a second time; a replica that stops
 * hands its partitions over at once. Each application of an item is a row of {@code lease_test_applied}: a duplicate
 * would show as two rows of one item.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "identity"))
class FeedLeasesTest {

    private static final String WORKSPACE = "lease-test";
    private static final Duration TTL = Duration.ofSeconds(3);

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    /** One replica: its consumers of the four partitions, each recording what it applies under the replica's name. */
    private final class Replica {
        final String name;
        final FeedClient client;
        final FeedLeases leases;
        volatile CompletableFuture<Void> held;
        final CountDownLatch entered = new CountDownLatch(1);
        final MeterRegistry metrics = new SimpleMeterRegistry();

        Replica(String name) {
            this.name = name;
            this.client = new FeedClient(vertx, "http://localhost:" + RestAssured.port, TestKeys.serviceToken("identity/memberships"), 10_000);
            List<FeedConsumer> consumers = new ArrayList<>();
            Semaphore transactions = new Semaphore(2);
            for (int i = 0; i < 4; i++) {
                consumers.add(new FeedConsumer(vertx, pool, client, "memberships", "test/leases", new FeedPartition(i, 4), 50, 50,
                        this::apply, transactions));
            }
            this.leases = new FeedLeases(vertx, pool, name, TTL, consumers);
            FeedMetrics.register(metrics, "test", consumers);
        }

        /** The sum of one of this replica's feed metrics over its partitions. */
        double metric(String name) {
            return metrics.find(name).meters().stream().mapToDouble(m -> m.measure().iterator().next().getValue()).sum();
        }

        double maxLag() {
            return metrics.find("closedloop.feeds.lag").gauges().stream().mapToDouble(g -> g.value()).max().orElse(0);
        }

        Uni<Void> apply(SqlConnection tx, List<FeedItem> items) {
            List<Long> seqs = items.stream().filter(i -> i.workspace().equals(WORKSPACE)).map(FeedItem::seq).toList();
            Uni<Void> insert = tx.preparedQuery("insert into lease_test_applied (seq, owner) select s, $2 from unnest($1::bigint[]) s")
                    .execute(Tuple.of(seqs.toArray(new Long[0]), name)).replaceWithVoid();
            CompletableFuture<Void> hold = held;
            if (hold == null || seqs.isEmpty()) {
                return insert;
            }
            held = null;
            // The page's rows are written, its transaction open: the replica stalls here (a long GC, a lost network).
            return insert.invoke(entered::countDown).chain(() -> Uni.createFrom().completionStage(hold));
        }

        void close() {
            client.close();
        }
    }

    @Test
    void replicasSplitThePartitionsAndApplyEachItemOnceThroughADeathAndAHandOver() throws Exception {
        pool.query("create table if not exists lease_test_applied (seq bigint not null, owner text not null)").execute().await().indefinitely();
        pool.query("delete from lease_test_applied").execute().await().indefinitely();
        pool.query("delete from memberships where workspace_id = 'lease-test'").execute().await().indefinitely();
        pool.query("delete from feed_position where stream like 'test/leases%'").execute().await().indefinitely();
        pool.query("delete from feed_lease where name like 'test/leases%'").execute().await().indefinitely();
        pool.query("delete from feed_application where stream like 'test/leases%'").execute().await().indefinitely();
        append(3_000);
        Replica a = new Replica("replica-a");
        Replica b = new Replica("replica-b");
        Replica c = new Replica("replica-c");
        try {
            a.leases.start();
            b.leases.start();
            // The 3,000 items are walked in pages of 50: behind, the consumers report a lag until a page is not full.
            double[] lagSeen = new double[1];
            await("both replicas hold two partitions and applied the items", Duration.ofSeconds(30), () -> {
                lagSeen[0] = Math.max(lagSeen[0], Math.max(a.maxLag(), b.maxLag()));
                return a.leases.held().size() == 2 && b.leases.held().size() == 2
                        && query("select count(distinct seq) from lease_test_applied").get(0) >= 3_000;
            });
            assertTrue(lagSeen[0] > 0, "a lag while behind");
            await("no lag once caught up", Duration.ofSeconds(5), () -> a.maxLag() == 0 && b.maxLag() == 0);
            // Every item of the feed counts, other tests' workspaces' too (the consumers start at the feed's start).
            assertEquals(query("select count(*) from memberships").get(0), a.metric("closedloop.feeds.applied")
                    + b.metric("closedloop.feeds.applied"), 1e-9, "items applied, as the replicas count them");
            assertEquals(2, a.metric("closedloop.feeds.held"), 1e-9);
            assertEquals(2, b.metric("closedloop.feeds.held"), 1e-9);

            // A dies with a page half done: its rows written, its transaction open.
            CompletableFuture<Void> stalled = new CompletableFuture<>();
            a.held = stalled;
            append(500);
            assertTrue(a.entered.await(10, TimeUnit.SECONDS), "replica A took a page of the new items");
            a.leases.halt();
            long died = System.nanoTime();
            await("B holds all four partitions", Duration.ofSeconds(10), () -> b.leases.held().size() == 4);
            long movedMillis = (System.nanoTime() - died) / 1_000_000;
            assertTrue(movedMillis <= 10_000, "partitions moved in " + movedMillis + " ms");
            awaitApplied(3_500);
            // A wakes up: its page's position is fenced out, so the page rolls back.
            stalled.complete(null);
            Thread.sleep(500);
            assertOnce(3_500);

            // B stops cleanly: its leases are given back, and a new replica takes them at its first renewal.
            b.leases.stop().await().atMost(Duration.ofSeconds(5));
            c.leases.start();
            await("C holds all four partitions", Duration.ofSeconds(5), () -> c.leases.held().size() == 4);
            append(200);
            awaitApplied(3_700);
            assertOnce(3_700);
            assertEquals(List.of(4L), query("select count(*) from feed_lease where name like 'test/leases#%' and owner = 'replica-c'"));
            // The service's own audit agrees: the items each replica applied, written with its positions, add up to the
            // feed's, every workspace's item counted.
            assertEquals(List.of(query("select count(*) from memberships").get(0), 3L), query("select sum(items),"
                    + " count(distinct owner) from feed_application where stream like 'test/leases#%'"));
        } finally {
            a.leases.halt();
            b.leases.stop().await().atMost(Duration.ofSeconds(5));
            c.leases.stop().await().atMost(Duration.ofSeconds(5));
            a.close();
            b.close();
            c.close();
        }
    }

    private void append(int items) {
        pool.preparedQuery("insert into memberships (workspace_id, kind, payload) select $1, 'membership', jsonb_build_object("
                        + "'identifier', jsonb_build_object('type', 'email', 'value', 'p' || g || '-' || $2 || '@lease.test'),"
                        + " 'personId', 'person-' || g, 'accountId', null) from generate_series(1, $3) g")
                .execute(Tuple.of(WORKSPACE, Long.toString(System.nanoTime()), items)).await().indefinitely();
    }

    private void awaitApplied(long items) throws InterruptedException {
        await(items + " items applied", Duration.ofSeconds(30),
                () -> query("select count(distinct seq) from lease_test_applied").get(0) >= items);
    }

    /** Every item of the workspace's feed applied, each by one committed page only. */
    private void assertOnce(long items) {
        assertEquals(List.of(items, items, items), query("select (select count(*) from memberships where workspace_id = 'lease-test'),"
                + " count(distinct seq), count(*) from lease_test_applied"));
    }

    private List<Long> query(String sql) {
        Row row = pool.query(sql).execute().await().indefinitely().iterator().next();
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
            values.add(row.getLong(i));
        }
        return values;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(10);
        }
    }
}
