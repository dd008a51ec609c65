package io.closedloop.attribution.graphql;

import io.closedloop.attribution.feeditem.CrmItem;
import io.closedloop.attribution.feeditem.MembershipItem;
import io.closedloop.attribution.feeditem.TouchItem;
import io.closedloop.attribution.service.FeedApplyService;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.SessionSettings;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Hand-made feed pages (docs/feeds.md) applied through FeedApplyService, then journeys and credits
 * read back over GraphQL and compared with credits computed by hand.
 *
 * Account acct-a (identifiers a1, u1, a2): t1 03-01 paid_search, t2 03-03 email (reached through a1
 * and u1), t3 03-05 direct form fill, t4 03-08 organic_search, t5 03-15 paid_search. Account acct-b
 * (b1): b1 03-02 paid_social, b2 03-06 email. z1 03-04 social has an identifier without membership.
 * opp-a: acct-a, 1000, created 03-10, won 03-20, contact lead created 03-06 (so LC = t3).
 * opp-b-lost: acct-b, 500, created 03-07, lost 03-12. opp-b-open: acct-b, 300, created 03-25.
 * opp-c: acct-c (no touches), 200, created 03-11, open.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
class AttributionApiTest {

    private static final String WS = "journeys";
    private static boolean loaded;

    @Inject
    FeedApplyService apply;

    @Inject
    Pool pool;

    @BeforeEach
    void loadFeedsOnce() {
        if (loaded) {
            return;
        }
        List<FeedItem> touches = List.of(
                touch(1, "t1", "2026-03-01T10:00:00Z", "PAGE_VIEW", "paid_search", "google", "a1"),
                touch(2, "t2", "2026-03-03T10:00:00Z", "EMAIL_CLICK", "email", "newsletter", "u1", "a1"),
                touch(3, "t3", "2026-03-05T10:00:00Z", "FORM_FILL", "direct", null, "a2"),
                touch(4, "t4", "2026-03-08T10:00:00Z", "PAGE_VIEW", "organic_search", "google", "a1"),
                touch(5, "t5", "2026-03-15T10:00:00Z", "AD_CLICK", "paid_search", "google", "a1"),
                touch(6, "b1", "2026-03-02T10:00:00Z", "AD_CLICK", "paid_social", "linkedin", "b1"),
                touch(7, "b2", "2026-03-06T10:00:00Z", "EMAIL_CLICK", "email", "newsletter", "b1"),
                touch(8, "z1", "2026-03-04T10:00:00Z", "PAGE_VIEW", "social", "x", "z1"));
        List<FeedItem> memberships = List.of(
                membership(1, "anonymous_id", "a1", "acct-a"),
                membership(2, "user_id", "u1", "acct-a"),
                // a2 first resolved elsewhere, then merged into acct-a within the same page: the last state wins.
                membership(3, "anonymous_id", "a2", "acct-b"),
                membership(4, "anonymous_id", "a2", "acct-a"),
                membership(5, "anonymous_id", "b1", "acct-b"),
                membership(6, "anonymous_id", "gone", "acct-b"),
                new FeedItem(7, WS, "removed", new JsonObject()
                        .put("identifier", new JsonObject().put("type", "anonymous_id").put("value", "gone"))
                        .put("personId", null).put("accountId", null)));
        List<FeedItem> crm = List.of(
                new FeedItem(1, WS, "account", new JsonObject().put("id", "acct-a").put("name", "A")),
                new FeedItem(2, WS, "contact", new JsonObject().put("id", "c-a").put("accountId", "acct-a")
                        .put("email", "ada@a.com").put("createdAt", "2026-03-06T00:00:00Z")
                        .put("leadCreatedAt", "2026-03-06T00:00:00Z")),
                opportunity(3, "opp-a", "acct-a", "1000.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z", "c-a"),
                opportunity(4, "opp-b-lost", "acct-b", "500.00", "2026-03-07T00:00:00Z", "LOST", "2026-03-12T00:00:00Z", null),
                opportunity(5, "opp-b-open", "acct-b", "300.00", "2026-03-25T00:00:00Z", "OPEN", null, null),
                opportunity(6, "opp-c", "acct-c", "200.00", "2026-03-11T00:00:00Z", "OPEN", null, null),
                // unusable (no createdAt): skipped, the rest of the page kept
                new FeedItem(7, WS, "opportunity", new JsonObject().put("id", "opp-bad").put("status", "OPEN")));
        // Applied twice: a replayed page must not duplicate anything.
        for (int round = 0; round < 2; round++) {
            pool.withTransaction(tx -> apply.applyTouches(tx, TouchItem.all(touches))
                    .chain(() -> apply.applyMemberships(tx, MembershipItem.all(memberships)))
                    .chain(() -> apply.applyCrm(tx, CrmItem.all(crm)))).await().indefinitely();
        }
        loaded = true;
    }

    @Test
    void theServicesSessionsBoundStatementsAndIdleTransactionsAndCommitDurably() {
        var row = pool.query(SessionSettings.QUERY).execute().await().indefinitely().iterator().next();
        assertEquals(SessionSettings.EXPECTED, List.of(row.getString(0), row.getString(1), row.getString(2)));
    }

    @Test
    void journeyListsTheAccountsTouchesInOrderWithMilestonesAndLinearCredit() {
        JsonPath j = ok("{ opportunityJourney(opportunityId: \"opp-a\", model: {name: LINEAR}) { model amount unattributed dataAsOf"
                + " touches { touchId channel milestones credit amount } } }", "opportunityJourney");
        assertEquals("LINEAR", j.getString("model"));
        assertEquals(List.of("t1", "t2", "t3", "t4"), j.getList("touches.touchId"));
        assertEquals(List.of(true, false, false, false), milestone(j, "FT"));
        assertEquals(List.of(false, false, true, false), milestone(j, "LC"));
        assertEquals(List.of(false, false, false, true), milestone(j, "OC"));
        assertEquals(List.of(false, false, false, false), milestone(j, "CW"));
        assertEquals(List.of(List.of("FT"), List.of(), List.of("LC"), List.of("OC")), j.getList("touches.milestones"));
        assertCredits(j, 0.25, 0.25, 0.25, 0.25);
        assertEquals(250.0, j.getDouble("touches[0].amount"), 1e-9);
        assertEquals(1000.0, j.getDouble("amount"), 1e-9);
    }

    @Test
    void twoAliasedJourneysInOneDocumentAreBothAnswered() {
        JsonPath both = ok("{ a: opportunityJourney(opportunityId: \"opp-a\", model: {name: LINEAR}) { touches { credit } }"
                + " b: opportunityJourney(opportunityId: \"opp-a\", model: {name: FIRST_TOUCH}) { touches { credit } } }", "");
        assertCredits(both.setRootPath("data.a"), 0.25, 0.25, 0.25, 0.25);
        assertCredits(both.setRootPath("data.b"), 1, 0, 0, 0);
    }

    @Test
    void firstTouchGivesEverythingToTheFirstTouch() {
        assertCredits(ok("{ opportunityJourney(opportunityId: \"opp-a\", model: {name: FIRST_TOUCH}) { touches { credit } } }",
                "opportunityJourney"), 1, 0, 0, 0);
    }

    @Test
    void uShapedOnTheRevenueBasisReachesTheCloseAndMarksClosedWon() {
        JsonPath j = ok("{ opportunityJourney(opportunityId: \"opp-a\", model: {name: U_SHAPED}, basis: REVENUE)"
                + " { touches { touchId milestones credit } } }", "opportunityJourney");
        assertEquals(List.of("t1", "t2", "t3", "t4", "t5"), j.getList("touches.touchId"));
        assertEquals(List.of(false, false, false, false, true), milestone(j, "CW"));
        assertCredits(j, 0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4);
    }

    @Test
    void theLookbackCutsEarlierTouches() {
        JsonPath j = ok("{ opportunityJourney(opportunityId: \"opp-a\", model: {name: U_SHAPED, lookbackDays: 5})"
                + " { touches { touchId credit } } }", "opportunityJourney");
        assertEquals(List.of("t3", "t4"), j.getList("touches.touchId"));
        assertCredits(j, 0.5, 0.5);
    }

    @Test
    void anOpportunityWithoutTouchesIsUnattributed() {
        JsonPath j = ok("{ opportunityJourney(opportunityId: \"opp-c\", model: {name: LINEAR}) { unattributed touches { touchId } } }",
                "opportunityJourney");
        assertEquals(true, j.getBoolean("unattributed"));
        assertEquals(List.of(), j.getList("touches"));
    }

    @Test
    void linearByChannelOnThePipelineBasisSumsToTheAttributedOpportunities() {
        JsonPath r = ok("{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"}, model: {name: LINEAR})"
                + " { attributedOpportunities unattributedOpportunities dataAsOf rows { key credit amount opportunities } } }",
                "attribution");
        assertEquals(3, r.getInt("attributedOpportunities"));
        assertEquals(1, r.getInt("unattributedOpportunities"));
        Map<String, double[]> rows = rows(r);
        // opp-a: 4 × 0.25 of 1000; opp-b-lost and opp-b-open: paid_social and email 0.5 each of 500 and 300.
        assertRow(rows, "email", 1.25, 250 + 250 + 150, 3);
        assertRow(rows, "paid_social", 1.0, 250 + 150, 2);
        assertRow(rows, "paid_search", 0.25, 250, 1);
        assertRow(rows, "direct", 0.25, 250, 1);
        assertRow(rows, "organic_search", 0.25, 250, 1);
        assertEquals(5, rows.size());
        assertEquals("email", r.getString("rows[0].key"));
    }

    @Test
    void revenueBasisCreditsOnlyWonDealsClosedInThePeriodAndAmountsSumToTheWonAmount() {
        JsonPath r = ok("{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"}, model: {name: LINEAR}, basis: REVENUE)"
                + " { attributedOpportunities rows { key credit amount opportunities } } }", "attribution");
        assertEquals(1, r.getInt("attributedOpportunities"));
        Map<String, double[]> rows = rows(r);
        assertRow(rows, "paid_search", 0.4, 400, 1);
        assertRow(rows, "email", 0.2, 200, 1);
        assertEquals(1.0, rows.values().stream().mapToDouble(v -> v[0]).sum(), 1e-9);
        assertEquals(1000.0, rows.values().stream().mapToDouble(v -> v[1]).sum(), 1e-9);
    }

    @Test
    void groupingBySourceKeepsTouchesWithoutSourceUnderNone() {
        Map<String, double[]> rows = rows(ok("{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"},"
                + " model: {name: FIRST_TOUCH}, groupBy: SOURCE) { rows { key credit amount opportunities } } }", "attribution"));
        // first touches: opp-a t1 (google), opp-b-lost and opp-b-open b1 (linkedin)
        assertRow(rows, "google", 1, 1000, 1);
        assertRow(rows, "linkedin", 2, 800, 2);
        assertRow(rows, "(none)", 0, 0, 0);
    }

    @Test
    void dataDrivenModelsCreditExactlyTheConvertingJourneys() {
        // markovOrder applies to MARKOV only.
        for (String model : List.of("{name: MARKOV, markovOrder: 2}", "{name: SHAPLEY}")) {
            Map<String, double[]> rows = rows(ok("{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"}, basis: REVENUE,"
                    + " model: " + model + ") { rows { key credit amount opportunities } } }", "attribution"));
            assertEquals(1.0, rows.values().stream().mapToDouble(v -> v[0]).sum(), 1e-9, model);
            assertEquals(1000.0, rows.values().stream().mapToDouble(v -> v[1]).sum(), 1e-6, model);
            assertNull(rows.get("paid_social"), model + ": a lost deal's channel is not in the won journey");
        }
    }

    @Test
    void badArgumentsAreRejectedNamingTheField() {
        String analyst = TestKeys.token(WS, "analyst");
        String march = "period: {from: \"2026-03-01\", to: \"2026-03-31\"}";
        // An unknown model is no value of the ModelName enum: refused by GraphQL validation.
        graphql(analyst, "{ attribution(" + march + ", model: {name: MAGIC}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("MAGIC"))
                .body("data", nullValue());
        graphql(analyst, "{ attribution(" + march + ", model: {name: TIME_DECAY, halfLifeDays: -1}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.halfLifeDays: must be greater than 0"));
        graphql(analyst, "{ attribution(" + march + ", model: {name: LINEAR, halfLifeDays: 3}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.halfLifeDays: applies only to TIME_DECAY"));
        graphql(analyst, "{ attribution(" + march + ", model: {name: LINEAR, lookbackDays: 0}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.lookbackDays: must be between 1 and 3650, was 0"));
        graphql(analyst, "{ attribution(period: {from: \"2026-04-01\", to: \"2026-03-01\"}, model: {name: LINEAR})"
                + " { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.period: is reversed"));
        // At most closedloop.reports.max-period-days (3,660, both ends counted): the edge passes, a day more is refused,
        // naming the field.
        graphql(analyst, "{ attribution(period: {from: \"2016-01-01\", to: \"2026-01-07\"}, model: {name: LINEAR})"
                + " { attributedOpportunities } }")
                .body("errors", nullValue());
        graphql(analyst, "{ attribution(period: {from: \"2016-01-01\", to: \"2026-01-08\"}, model: {name: LINEAR})"
                + " { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.period.to: the period may span at most 3660 days"));
        graphql(analyst, "{ performance(period: {from: \"1970-01-01\", to: \"2998-12-31\"}, model: {name: LINEAR}) { basis } }")
                .body("errors[0].message", containsString("performance.period.to: the period may span at most 3660 days"));
        graphql(analyst, "{ attribution(" + march + ", model: {name: MARKOV, markovOrder: 5}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.markovOrder: must be between 1 and 4"));
        graphql(analyst, "{ attribution(" + march + ", model: {name: LINEAR, markovOrder: 2}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.markovOrder: applies only to MARKOV"));
        graphql(analyst, "{ attribution(period: {from: \"March\", to: \"2026-03-31\"}, model: {name: LINEAR})"
                + " { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.period.from: is not a date"));
        graphql(analyst, "{ attribution(period: {from: \"2026-03-01\", to: \"2026-04-01T00:00:00Z\"}, model: {name: LINEAR})"
                + " { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.period.to: is not a date"));
        graphql(analyst, "{ opportunityJourney(opportunityId: \"nope\", model: {name: LINEAR}) { amount } }")
                .body("errors[0].message", containsString("opportunityJourney.opportunityId: no opportunity 'nope'"));
        graphql(analyst, "{ opportunityJourney(opportunityId: \"opp-b-open\", model: {name: LINEAR}, basis: REVENUE) { amount } }")
                .body("errors[0].message", containsString("opportunityJourney.basis: the revenue basis needs a won opportunity"));
        graphql(TestKeys.token(WS, "ingest"), "{ opportunityJourney(opportunityId: \"opp-a\", model: {name: LINEAR}) { amount } }")
                .body("errors[0].message", containsString("needs the role analyst or admin"));
    }

    @Test
    void replayedPagesDoNotDuplicateAndRemovedOrUnusableItemsLeaveNoRow() {
        assertEquals(8L, count("select count(*) from touch where workspace_id = 'journeys'"));
        // a1, u1, a2, b1; "gone" was removed in the same page
        assertEquals(4L, count("select count(*) from membership where workspace_id = 'journeys'"));
        assertEquals("acct-a", pool.query("select account_id from membership where identifier = 'anonymous_id:a2'")
                .execute().await().indefinitely().iterator().next().getString(0));
        // opp-bad (no createdAt) skipped, the four others kept
        assertEquals(4L, count("select count(*) from opportunity where workspace_id = 'journeys'"));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void anotherWorkspaceSeesNothing() {
        JsonPath r = ok("other", "{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"}, model: {name: LINEAR})"
                + " { attributedOpportunities rows { key } } }", "attribution");
        assertEquals(0, r.getInt("attributedOpportunities"));
        assertEquals(List.of(), r.getList("rows"));
    }

    private static JsonPath ok(String query, String field) {
        return ok(WS, query, field);
    }

    /** The data at {@code field} of an analyst's query in {@code workspace}, failing on errors; numbers as doubles. */
    static JsonPath ok(String workspace, String query, String field) {
        String body = graphql(TestKeys.token(workspace, "analyst"), query).statusCode(200).extract().asString();
        // Doubles, not RestAssured's default floats: credits are compared to 1e-9.
        JsonPath json = new JsonPath(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertNull(json.get("errors"), body);
        return json.setRootPath("data." + field);
    }

    /** Per touch of the journey, whether it is the milestone {@code name} (FT, LC, OC or CW). */
    private static List<Boolean> milestone(JsonPath journey, String name) {
        List<List<String>> milestones = journey.getList("touches.milestones");
        return milestones.stream().map(m -> m.contains(name)).toList();
    }

    private static void assertCredits(JsonPath journey, double... expected) {
        assertEquals(expected.length, journey.getList("touches.credit").size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], journey.getDouble("touches[" + i + "].credit"), 1e-9, "touch " + i);
        }
    }

    private static Map<String, double[]> rows(JsonPath report) {
        Map<String, double[]> rows = new java.util.HashMap<>();
        int n = report.getList("rows").size();
        for (int i = 0; i < n; i++) {
            rows.put(report.getString("rows[" + i + "].key"), new double[] {report.getDouble("rows[" + i + "].credit"),
                    report.getDouble("rows[" + i + "].amount"), report.getInt("rows[" + i + "].opportunities")});
        }
        return rows;
    }

    private static void assertRow(Map<String, double[]> rows, String key, double credit, double amount, int opportunities) {
        double[] row = rows.get(key);
        assertEquals(credit, row[0], 1e-9, key + " credit");
        assertEquals(amount, row[1], 1e-6, key + " amount");
        assertEquals(opportunities, (int) row[2], key + " opportunities");
    }

    private static FeedItem touch(long seq, String id, String at, String type, String channel, String source, String... anonymousOrUser) {
        JsonArray ids = new JsonArray();
        for (String value : anonymousOrUser) {
            ids.add(new JsonObject().put("type", value.startsWith("u") ? "user_id" : "anonymous_id").put("value", value));
        }
        return new FeedItem(seq, WS, "touch", new JsonObject().put("id", id).put("occurredAt", at).put("type", type)
                .put("identifiers", ids).put("channel", channel).put("source", source).put("medium", null)
                .put("campaign", null).put("content", null));
    }

    private static FeedItem membership(long seq, String type, String value, String account) {
        return new FeedItem(seq, WS, "membership", new JsonObject()
                .put("identifier", new JsonObject().put("type", type).put("value", value))
                .put("personId", "p_" + value).put("accountId", account));
    }

    private static FeedItem opportunity(long seq, String id, String account, String amount, String created, String status,
                                        String closed, String contactId) {
        JsonArray roles = new JsonArray();
        if (contactId != null) {
            roles.add(new JsonObject().put("contactId", contactId).put("role", "Decision Maker"));
        }
        return new FeedItem(seq, WS, "opportunity", new JsonObject().put("id", id).put("accountId", account)
                .put("amount", amount).put("currency", "USD").put("createdAt", created).put("stage", status)
                .put("status", status).put("closedAt", closed).put("contactRoles", roles).put("stageHistory", new JsonArray()));
    }
}
