package io.closedloop.attribution.graphql;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.DataDrivenCredits;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.RuleBasedModel;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.model.TimeDecayModel;
import io.closedloop.attribution.model.Touch;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.closedloop.attribution.repository.JourneyRepository;
import io.closedloop.attribution.service.ErasureApplyService;
import io.closedloop.attribution.service.JourneyStore;
import io.closedloop.attribution.service.FeedApplyService;
import io.closedloop.attribution.service.IncrementalRollups;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedConsumer.PageHandler;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 20: Markov and Shapley over ACCOUNT journeys read the workspace's touches in memory (JourneyStore), and answer
 * exactly as DESIGN §4 defines them. The reference here is written apart from the service, from the items the test itself
 * sends through the feed handlers: each account's touches (a touch of two of its identifiers once; ties in time by id by
 * code point, also within one millisecond), the period's converting journeys in their window, the lost ones, the paths of
 * the accounts with no opportunity in scope, fitted by the models. 120 random questions (period, Markov order 1–3 or
 * Shapley, basis, grouping), then pages that move an identifier to another account, add touches to an account with no
 * opportunity, erase a person, restate and add deals: 40 more, which must see them (the versions moved).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
class JourneyStorePropertyTest {

    private static final String WS = "journey-store";
    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    private static final String[] CHANNELS = {"paid_search", "email", "organic_search", "paid_social", "direct", "webinar"};
    private static final String[] TYPES = {"PAGE_VIEW", "AD_CLICK", "FORM_FILL"};
    private static final Duration LOOKBACK = Duration.ofDays(365);

    /** A touch as the reference sees it. */
    private record T(String id, Instant at, String channel, String campaign, List<String> identifiers) {
    }

    /** An opportunity as the reference sees it. */
    private record O(String id, String account, double amount, Instant created, String status, Instant closed) {
    }

    @Inject
    FeedApplyService apply;

    @Inject
    IncrementalRollups incremental;

    @Inject
    ErasureApplyService erasures;

    @Inject
    Pool pool;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    MeterRegistry registry;

    @Inject
    Vertx vertx;

    private long seq;
    private String workspace = WS;
    private final Map<String, T> touches = new LinkedHashMap<>();
    private final Map<String, String> accountOf = new HashMap<>();
    private final Map<String, String> personOf = new HashMap<>();
    private final Map<String, O> opportunities = new LinkedHashMap<>();
    /** The reference's median days to conversion by key of the last revenue question. */
    private final Map<String, Double> medians = new HashMap<>();
    /** The reference's converting journeys of the last question. */
    private int attributed;

    @Test
    void dataDrivenReportsFromTheTouchesInMemoryEqualAReferenceBuiltFromTheItems() {
        Random random = new Random(7);
        List<FeedItem> touchItems = new ArrayList<>();
        List<FeedItem> membershipItems = new ArrayList<>();
        List<FeedItem> crm = new ArrayList<>();
        for (int a = 0; a < 40; a++) {
            String account = "acct-" + a;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(2); i++) {
                String identifier = "v" + a + "-" + i;
                ids.add(identifier);
                membershipItems.add(membership(identifier, "p" + a, account));
            }
            Instant previous = null;
            for (int t = 0; t < 2 + random.nextInt(12); t++) {
                // A third of the touches share the previous one's millisecond (ids decide), some only differing in microseconds.
                Instant at = previous != null && random.nextInt(3) == 0 ? previous.plusNanos(1000L * random.nextInt(3))
                        : day(random.nextInt(200)).plusSeconds(3600L * random.nextInt(3));
                previous = at;
                List<String> of = random.nextInt(6) == 0 ? ids : List.of(ids.get(random.nextInt(ids.size())));
                touchItems.add(touch("t" + a + "-" + (9 - t % 10) + "-" + t, at, CHANNELS[random.nextInt(CHANNELS.length)],
                        random.nextInt(4) == 0 ? null : "campaign " + random.nextInt(6), of));
            }
            // An identifier resolved to no account: its touches are in no journey.
            if (random.nextInt(5) == 0) {
                touchItems.add(touch("stray-" + a, day(random.nextInt(200)), "direct", null, List.of("unresolved-" + a)));
            }
            for (int o = 0; o < random.nextInt(3); o++) {
                int created = 20 + random.nextInt(170);
                String status = new String[] {"WON", "LOST", "OPEN"}[random.nextInt(3)];
                crm.add(opportunity("opp-" + a + "-" + o, random.nextInt(15) == 0 ? null : account,
                        100 + random.nextInt(5000), day(created), status, status.equals("OPEN") ? null : day(created + 1 + random.nextInt(40))));
            }
        }
        page(incremental.crm(apply::applyCrm), crm);
        page(incremental.touches(apply::applyTouches), touchItems);
        page(incremental.memberships(apply::applyMemberships), membershipItems);
        ask(random, 120);

        // An identifier moves to another account; touches arrive for an account with no opportunity; a person is erased.
        // The copy in memory is brought up to date by reading the accounts changed (a refresh), but after the erasure,
        // which keeps no version of what it removes, read whole.
        double refreshes = reads("refresh");
        double whole = reads("whole");
        page(incremental.memberships(apply::applyMemberships), List.of(membership("v3-0", "p4", "acct-4")));
        for (int kind = 0; kind < 4; kind++) {
            ask(START.minusDays(20), START.plusDays(200), kind, kind % 2 == 0, false, "after a membership moved");
        }
        page(incremental.touches(apply::applyTouches), List.of(
                touch("late-1", day(100), "webinar", "campaign 9", List.of("v39-0")),
                touch("late-2", day(101), "email", "campaign 9", List.of("v39-0"))));
        for (int kind = 0; kind < 4; kind++) {
            ask(START.minusDays(20), START.plusDays(200), kind, kind % 2 == 1, true, "after late touches");
        }
        // A touch of an identifier no account has: no account changed, the same columns at the new version.
        page(incremental.touches(apply::applyTouches), List.of(touch("stray-late", day(102), "direct", null,
                List.of("unresolved-late"))));
        ask(START.minusDays(20), START.plusDays(200), 1, true, true, "after a stray touch");
        // A touch re-sent changed (another time, another account's identifier: its version replaced) and an identifier
        // resolved to no person and no account any more (with a person it would count under the person's own account, V11).
        page(incremental.touches(apply::applyTouches), List.of(touch("late-1", day(99), "paid_social", "campaign 8",
                List.of("v38-0"))));
        page(incremental.memberships(apply::applyMemberships), List.of(membership("v12-0", null, null)));
        for (int kind = 0; kind < 4; kind++) {
            ask(START.minusDays(20), START.plusDays(200), kind, kind % 2 == 0, kind > 1, "after a re-sent touch and an unresolved"
                    + " identifier");
        }
        assertEquals(refreshes + 4, reads("refresh"), "a refresh after the move, the late touches, the stray one and the last");
        assertEquals(whole, reads("whole"));
        erase("v7-0");
        ask(START.minusDays(20), START.plusDays(200), 0, true, false, "after an erasure");
        assertEquals(whole + 1, reads("whole"), "read whole after the erasure");
        // Deals restated and added: the opportunities in memory follow (their own version).
        List<FeedItem> restated = new ArrayList<>();
        for (O o : List.copyOf(opportunities.values()).subList(0, 6)) {
            restated.add(opportunity(o.id(), o.account(), o.amount() * 2, o.created(), "WON", o.created().plus(Duration.ofDays(9))));
        }
        restated.add(opportunity("opp-new", "acct-39", 4321, day(100), "WON", day(110)));
        // Closed long before its creation minus the lookback (an import's dates): a window that ends before it starts, with
        // touches between its close and its start.
        restated.add(opportunity("opp-backwards", "acct-2", 999, day(400), "WON", day(10)));
        restated.add(opportunity("opp-backwards-lost", "acct-5", 999, day(400), "LOST", day(10)));
        page(incremental.touches(apply::applyTouches), List.of(touch("back-2a", day(20), "email", null, List.of("v2-0")),
                touch("back-2b", day(30), "webinar", null, List.of("v2-0")), touch("back-5", day(25), "email", null, List.of("v5-0"))));
        page(incremental.crm(apply::applyCrm), restated);
        for (int kind = 0; kind < 4; kind++) {
            ask(START, START.plusDays(15), kind, true, false, "backwards windows");
        }
        ask(random, 40);
    }

    /**
     * Keep-warm: a workspace asked recently keeps its copy past the ttl (renewed, its versions checked, before the ttl runs
     * out), so the next question reads nothing; without keep-warm the copy expires and the next question reads it whole.
     */
    @Test
    void aCopyOfAWorkspaceAskedRecentlyIsRenewedBeforeItsTtlRunsOut() throws InterruptedException {
        workspace = "journey-store-warm";
        page(incremental.touches(apply::applyTouches), List.of(touch("warm-1", day(1), "email", null, List.of("warm-v"))));
        page(incremental.memberships(apply::applyMemberships), List.of(membership("warm-v", "warm-p", "warm-acct")));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JourneyStore warm = new JourneyStore(new JourneyRepository(pool, dataSource, 1000), meters, vertx, 128,
                Duration.ofSeconds(3), Duration.ofHours(1));
        warm.start(null);
        try {
            assertEquals(1, warm.journeys(workspace).await().indefinitely().touches().touchCount());
            Thread.sleep(4500);
            assertEquals(1, warm.journeys(workspace).await().indefinitely().touches().touchCount());
            assertEquals(1, meters.counter("closedloop.journeys.reads", "kind", "whole").count(), "read whole once, then renewed");
            assertTrue(meters.counter("closedloop.journeys.reads", "kind", "renew").count() >= 1);
        } finally {
            warm.stop(null); // its renewals would run beside the other tests' statement counts
        }

        SimpleMeterRegistry coldMeters = new SimpleMeterRegistry();
        JourneyStore cold = new JourneyStore(new JourneyRepository(pool, dataSource, 1000), coldMeters, vertx, 128,
                Duration.ofSeconds(1), Duration.ZERO);
        cold.start(null);
        cold.journeys(workspace).await().indefinitely();
        Thread.sleep(1500);
        cold.journeys(workspace).await().indefinitely();
        assertEquals(2, coldMeters.counter("closedloop.journeys.reads", "kind", "whole").count(), "expired, read whole again");
    }

    @Test
    void aWorkspaceWithMoreTouchesThanMayBeKeptIsRefusedByTheStoreAndMarked() {
        workspace = "journey-store-large";
        page(incremental.touches(apply::applyTouches), List.of(touch("big-1", day(1), "email", null, List.of("big-v")),
                touch("big-2", day(2), "email", null, List.of("big-v"))));
        page(incremental.memberships(apply::applyMemberships), List.of(membership("big-v", "big-p", "big-acct")));
        JourneyStore small = new JourneyStore(new JourneyRepository(pool, dataSource, 1), new SimpleMeterRegistry(), vertx, 128,
                Duration.ofMinutes(1), Duration.ZERO);
        assertTrue(!small.tooLarge(workspace));
        assertThrows(JourneyStore.TooLarge.class, () -> small.journeys(workspace).await().indefinitely());
        assertTrue(small.tooLarge(workspace), "the next reports of the workspace read each period's rows");
        assertTrue(!small.tooLarge(WS));
        JourneyStore enough = new JourneyStore(new JourneyRepository(pool, dataSource, 2), new SimpleMeterRegistry(), vertx, 128,
                Duration.ofMinutes(1), Duration.ZERO);
        assertEquals(2, enough.journeys(workspace).await().indefinitely().touches().touchCount());
        // Within the rows but over the bytes (0 MB here): kept, it would be evicted at once and read again by every report.
        JourneyStore noRoom = new JourneyStore(new JourneyRepository(pool, dataSource, 2), new SimpleMeterRegistry(), vertx, 0,
                Duration.ofMinutes(1), Duration.ZERO);
        assertThrows(JourneyStore.TooLarge.class, () -> noRoom.journeys(workspace).await().indefinitely());
        assertTrue(noRoom.tooLarge(workspace));
    }

    /** The service's reads of workspaces' touches of one kind (whole, refresh) so far. */
    private double reads(String kind) {
        return registry.counter("closedloop.journeys.reads", "kind", kind).count();
    }

    /** {@code count} random questions, each answered by the service and by the reference. */
    private void ask(Random random, int count) {
        for (int q = 0; q < count; q++) {
            LocalDate from = START.plusDays(random.nextInt(200) - 20);
            ask(from, from.plusDays(random.nextInt(120)), random.nextInt(6), random.nextBoolean(), random.nextBoolean(),
                    "question " + q);
        }
    }

    /**
     * One question ({@code kind} 0-2: Markov of that order + 1, 3: Shapley; rule-based models the rollups cannot answer, read
     * from the touches in memory too: 4: custom weights with zeros, 5: time decay with its own half-life), answered by the
     * service and by the reference.
     */
    private void ask(LocalDate from, LocalDate to, int kind, boolean revenue, boolean byCampaign, String name) {
        String model = switch (kind) {
            case 3 -> "{name: SHAPLEY}";
            case 4 -> "{name: CUSTOM, weights: {ft: 0.5, lc: 0, oc: 0.3, cw: 0.2, middle: 0}}";
            case 5 -> "{name: TIME_DECAY, halfLifeDays: 3}";
            default -> "{name: MARKOV, markovOrder: " + (kind + 1) + "}";
        };
        String arguments = "period: {from: \"" + from + "\", to: \"" + to + "\"}, model: " + model + ", basis: "
                + (revenue ? "REVENUE" : "PIPELINE") + ", groupBy: " + (byCampaign ? "CAMPAIGN" : "CHANNEL");
        String query = "{ attribution(" + arguments + ") { attributedOpportunities rows { key credit amount opportunities } } }";
        JsonPath answer = ok(query, "attribution");
        Map<String, double[]> actual = new TreeMap<>();
        for (Map<String, Object> row : answer.<Map<String, Object>>getList("data.attribution.rows")) {
            actual.put((String) row.get("key"), new double[] {((Number) row.get("credit")).doubleValue(),
                    Double.parseDouble(row.get("amount").toString()), ((Number) row.get("opportunities")).doubleValue()});
        }
        Map<String, double[]> expected = reference(day(from), day(to.plusDays(1)), kind, revenue, byCampaign);
        try {
            assertEquals(attributed, answer.getInt("data.attribution.attributedOpportunities"), "attributed opportunities");
            assertEquals(expected.keySet(), actual.keySet(), "keys");
            expected.forEach((key, e) -> {
                double[] a = actual.get(key);
                assertEquals(e[0], a[0], 1e-12 * Math.max(1, Math.abs(e[0])), key + " credit");
                assertEquals(e[1], a[1], 0.0051, key + " amount (money in cents)");
                assertEquals(e[2], a[2], 0, key + " opportunities");
            });
        } catch (AssertionError e) {
            throw new AssertionError(name + ": " + query + "\n" + e.getMessage() + "\nanswer: " + answer.prettify(), e);
        }
        if (revenue) {
            // The performance report: its revenue basis and its won deals' revenue per key come of the same journeys.
            String performance = "{ performance(" + arguments + ", first: 1000) { rows { edges { node { key credit revenue"
                    + " medianDaysToConversion } } } } }";
            List<Map<String, Object>> nodes = ok(performance, "performance").getList("data.performance.rows.edges.node");
            // Its rows are the keys of the revenue and the pipeline journeys: those of no won journey with 0 revenue credit.
            assertTrue(nodes.stream().map(n -> (String) n.get("key")).toList().containsAll(expected.keySet()), performance);
            for (Map<String, Object> node : nodes) {
                double[] e = expected.getOrDefault((String) node.get("key"), new double[3]);
                assertEquals(e[0], ((Number) node.get("credit")).doubleValue(), 1e-12 * Math.max(1, e[0]), performance);
                assertEquals(e[1], Double.parseDouble(node.get("revenue").toString()), 0.0101, performance);
                Double median = medians.get((String) node.get("key"));
                Object actualMedian = node.get("medianDaysToConversion");
                assertEquals(median == null, actualMedian == null, performance + " median of " + node.get("key"));
                if (median != null) {
                    assertEquals(median, ((Number) actualMedian).doubleValue(), 0.051, performance + " median of " + node.get("key"));
                }
            }
        }
    }

    /** DESIGN §4 over the items sent: per key, credit, amount and the opportunities giving it credit. */
    private Map<String, double[]> reference(Instant from, Instant to, int kind, boolean revenue, boolean byCampaign) {
        Map<String, List<T>> byAccount = new TreeMap<>(Journey::compareByCodePoint);
        for (T t : touches.values()) {
            new TreeSet<>(t.identifiers().stream().map(accountOf::get).filter(java.util.Objects::nonNull).toList())
                    .forEach(account -> byAccount.computeIfAbsent(account, x -> new ArrayList<>()).add(t));
        }
        Comparator<T> order = Comparator.<T>comparingLong(t -> t.at().toEpochMilli()).thenComparing(T::id, Journey::compareByCodePoint);
        byAccount.values().forEach(list -> list.sort(order));
        List<O> inScope = opportunities.values().stream().filter(o -> revenue
                ? !"OPEN".equals(o.status()) && !o.closed().isBefore(from) && o.closed().isBefore(to)
                : !o.created().isBefore(from) && o.created().isBefore(to)).toList();
        PathPopulation.Builder population = PathPopulation.builder();
        List<O> converting = new ArrayList<>();
        List<List<T>> journeys = new ArrayList<>();
        List<List<T>> lost = new ArrayList<>();
        for (O o : inScope) {
            long start = o.created().toEpochMilli() - LOOKBACK.toMillis();
            long end = (revenue ? o.closed() : o.created()).toEpochMilli();
            List<T> journey = (o.account() == null ? List.<T>of() : byAccount.getOrDefault(o.account(), List.of())).stream()
                    .filter(t -> t.at().toEpochMilli() >= start && t.at().toEpochMilli() <= end).toList();
            if (journey.isEmpty()) {
                continue;
            }
            if (revenue && "LOST".equals(o.status())) {
                lost.add(journey);
            } else {
                converting.add(o);
                journeys.add(journey);
            }
        }
        journeys.forEach(j -> population.add(true, j.stream().map(T::channel).toList()));
        lost.forEach(j -> population.add(false, j.stream().map(T::channel).toList()));
        byAccount.forEach((account, list) -> {
            if (inScope.stream().noneMatch(o -> account.equals(o.account()))) {
                List<String> path = list.stream().filter(t -> !t.at().isBefore(from) && t.at().isBefore(to)).map(T::channel).toList();
                if (!path.isEmpty()) {
                    population.add(false, path);
                }
            }
        });
        Map<String, double[]> sums = new TreeMap<>();
        medians.clear();
        attributed = journeys.size();
        if (journeys.isEmpty()) {
            return sums;
        }
        Map<String, List<Double>> days = new TreeMap<>();
        PathPopulation built = population.build();
        DataDrivenCredits credits = kind >= 4 ? null
                : kind == 3 ? new ShapleyModel().fit(built) : new MarkovChainModel(kind + 1).fit(built).credits();
        RuleBasedModel rule = kind == 4 ? new CustomModel(0.5, 0, 0.3, 0.2, 0) : kind == 5 ? new TimeDecayModel(3) : null;
        for (int k = 0; k < journeys.size(); k++) {
            double[] credit = rule == null ? credits.credit(k) : rule.credit(journey(converting.get(k), journeys.get(k), revenue));
            TreeSet<String> credited = new TreeSet<>();
            for (int i = 0; i < credit.length; i++) {
                T t = journeys.get(k).get(i);
                String key = byCampaign ? (t.campaign() == null ? "(none)" : t.campaign()) : t.channel();
                double[] s = sums.computeIfAbsent(key, x -> new double[3]);
                s[0] += credit[i];
                s[1] += credit[i] * converting.get(k).amount();
                if (credit[i] > 0 && credited.add(key)) {
                    s[2]++;
                    if (revenue) {
                        days.computeIfAbsent(key, x -> new ArrayList<>()).add((converting.get(k).closed().toEpochMilli()
                                - journeys.get(k).get(0).at().toEpochMilli()) / 86_400_000.0);
                    }
                }
            }
        }
        days.forEach((key, list) -> {
            double[] sorted = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = sorted.length;
            medians.put(key, n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
        });
        return sums;
    }

    /** The journey the rule-based models read: touches of type FORM_FILL (see touch) are form fills; no lead-creation time. */
    private static Journey journey(O o, List<T> touches, boolean revenue) {
        Journey.Builder b = Journey.builder().basis(revenue ? Basis.REVENUE : Basis.PIPELINE)
                .opportunityCreatedAt(o.created().toEpochMilli()).closedAt(o.closed() == null ? null : o.closed().toEpochMilli())
                .lookback(LOOKBACK);
        for (T t : touches) {
            b.touch(new Touch(t.id(), t.at().toEpochMilli(), t.channel(), "FORM_FILL".equals(TYPES[t.id().length() % 3])));
        }
        return b.build();
    }

    private FeedItem touch(String id, Instant at, String channel, String campaign, List<String> identifiers) {
        touches.put(id, new T(id, at, channel, campaign, identifiers));
        JsonArray ids = new JsonArray();
        identifiers.forEach(i -> ids.add(new JsonObject().put("type", "anonymous_id").put("value", i)));
        return item("touch", new JsonObject().put("id", id).put("occurredAt", at.toString()).put("type", TYPES[id.length() % 3])
                .put("identifiers", ids).put("channel", channel).put("source", "src").put("medium", "m").put("campaign", campaign)
                .put("content", "content"));
    }

    private FeedItem membership(String identifier, String person, String account) {
        accountOf.put(identifier, account);
        personOf.put(identifier, person);
        return item("membership", new JsonObject().put("identifier", new JsonObject().put("type", "anonymous_id")
                .put("value", identifier)).put("personId", person).put("accountId", account));
    }

    private FeedItem opportunity(String id, String account, double amount, Instant created, String status, Instant closed) {
        opportunities.put(id, new O(id, account, amount, created, status, closed));
        return item("opportunity", new JsonObject().put("id", id).put("accountId", account).put("amount", String.valueOf(amount))
                .put("currency", "USD").put("createdAt", created.toString()).put("stage", status).put("status", status)
                .put("closedAt", closed == null ? null : closed.toString()).put("contactRoles", new JsonArray())
                .put("stageHistory", new JsonArray()));
    }

    /** The erasure feed's item for the person of {@code identifier}: the touches and memberships of all its identifiers leave. */
    private void erase(String identifier) {
        page(incremental.erasures(erasures::applyErasures, erasures), List.of(item("erasure", new JsonObject().put("identifiers",
                new JsonArray().add(new JsonObject().put("type", "anonymous_id").put("value", identifier))))));
        String person = personOf.get(identifier);
        List<String> all = personOf.entrySet().stream().filter(e -> person.equals(e.getValue())).map(Map.Entry::getKey).toList();
        touches.values().removeIf(t -> t.identifiers().stream().anyMatch(all::contains));
        all.forEach(accountOf::remove);
    }

    private FeedItem item(String type, JsonObject payload) {
        return new FeedItem(++seq, workspace, type, payload);
    }

    private static Instant day(int offset) {
        return day(START.plusDays(offset));
    }

    private static Instant day(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private void page(PageHandler handler, List<FeedItem> items) {
        pool.withTransaction(tx -> handler.apply(tx, items)).await().indefinitely();
    }

    private static JsonPath ok(String query, String field) {
        String body = graphql(TestKeys.token(WS, "analyst"), query).statusCode(200).extract().asString();
        JsonPath json = new JsonPath(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertNull(json.get("errors"), body);
        assertTrue(json.get("data." + field) != null, body);
        return json;
    }
}
