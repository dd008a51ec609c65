package io.closedloop.attribution.graphql;

import io.closedloop.attribution.feeditem.CrmItem;
import io.closedloop.attribution.feeditem.MembershipItem;
import io.closedloop.attribution.feeditem.TouchItem;
import io.closedloop.attribution.OnDemandLimitException;
import io.closedloop.attribution.repository.JourneyRepository;
import io.closedloop.attribution.service.FeedApplyService;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONTACT_ROLES journeys (DESIGN §4): the touches of the contact roles' persons wherever those persons are
 * resolved, a touch once if any of its persons is a role.
 *
 * <p>Every case has one won opportunity (1,000.00, created 03-10, won 03-20, its role's lead created 03-06) whose
 * role persons carry five touches: 1 03-01 paid_search, 2 03-03 email, 3 03-05 direct form fill, 4 03-08 direct,
 * 5 03-15 paid_search (after creation: revenue journeys only). So every case's journey has the same hand-computed
 * credits; what differs is where its touches come from.
 * <ul>
 *   <li>A: the role's person is resolved to another company (acme) than the opportunity's (beta); a colleague at beta
 *   who is no role touched beta once (display, 03-04).</li>
 *   <li>B: the role's person is resolved to no company (their own {@code person:} account).</li>
 *   <li>C: a B2C opportunity (no account) with two role persons: touches 1, 3, 5 of the first, 2, 4 of the second.</li>
 *   <li>D, E: touches 3 and 4 carry the named role person and a shared mailbox quarantined into a person of its own;
 *   in D the named person's id sorts first, in E the mailbox's; the mailbox alone touched once (display, 03-04).</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
class ContactRoleJourneysTest {

    private static final String WS = "contact-roles";
    private static final String[] TIMES = {"2026-03-01T10:00:00Z", "2026-03-03T10:00:00Z", "2026-03-05T10:00:00Z",
            "2026-03-08T10:00:00Z", "2026-03-15T10:00:00Z"};
    private static final String[] TYPES = {"PAGE_VIEW", "EMAIL_CLICK", "FORM_FILL", "PAGE_VIEW", "AD_CLICK"};
    private static final String[] CHANNELS = {"paid_search", "email", "direct", "direct", "paid_search"};
    private static final List<String> CASES = List.of("a", "b", "c", "d", "e");

    /** Hand-computed credits of the five-touch shape: pipeline journeys hold touches 1-4 (LC = 3, OC = 4). */
    private static final Map<String, double[]> PIPELINE = new LinkedHashMap<>();
    /** Revenue journeys hold touches 1-5 (CW = 5). */
    private static final Map<String, double[]> REVENUE = new LinkedHashMap<>();

    static {
        double third = 0.2 / 3;
        PIPELINE.put("FIRST_TOUCH", new double[] {1, 0, 0, 0});
        PIPELINE.put("LAST_TOUCH", new double[] {0, 0, 0, 1});
        PIPELINE.put("LAST_NON_DIRECT", new double[] {0, 1, 0, 0});
        PIPELINE.put("LINEAR", new double[] {0.25, 0.25, 0.25, 0.25});
        // 2^(-days to the creation / 7): 8 14/24, 6 14/24, 4 14/24 and 1 14/24 days.
        PIPELINE.put("TIME_DECAY", decay(8 + 14 / 24.0, 6 + 14 / 24.0, 4 + 14 / 24.0, 1 + 14 / 24.0));
        PIPELINE.put("U_SHAPED", new double[] {0.4, 0.1, 0.1, 0.4});
        PIPELINE.put("W_SHAPED", new double[] {0.3, 0.1, 0.3, 0.3});
        PIPELINE.put("FULL_PATH", new double[] {0.225, 0.1, 0.225, 0.45});
        PIPELINE.put("J_SHAPED", new double[] {0.2, 0.1, 0.1, 0.6});
        PIPELINE.put("INVERSE_J", new double[] {0.6, 0.1, 0.1, 0.2});
        REVENUE.put("FIRST_TOUCH", new double[] {1, 0, 0, 0, 0});
        REVENUE.put("LAST_TOUCH", new double[] {0, 0, 0, 0, 1});
        REVENUE.put("LAST_NON_DIRECT", new double[] {0, 0, 0, 0, 1});
        REVENUE.put("LINEAR", new double[] {0.2, 0.2, 0.2, 0.2, 0.2});
        // 2^(-days to the close / 7).
        REVENUE.put("TIME_DECAY", decay(18 + 14 / 24.0, 16 + 14 / 24.0, 14 + 14 / 24.0, 11 + 14 / 24.0, 4 + 14 / 24.0));
        REVENUE.put("U_SHAPED", new double[] {0.4, third, third, third, 0.4});
        REVENUE.put("W_SHAPED", new double[] {0.3, 0.1, 0.3, 0.3, 0});
        REVENUE.put("FULL_PATH", new double[] {0.225, 0.1, 0.225, 0.225, 0.225});
        REVENUE.put("J_SHAPED", new double[] {0.2, third, third, third, 0.6});
        REVENUE.put("INVERSE_J", new double[] {0.6, third, third, third, 0.2});
    }

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
        List<FeedItem> touches = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            touches.add(touch("a" + (i + 1), i, "anonymous_id:ra"));
            touches.add(touch("b" + (i + 1), i, "anonymous_id:rb"));
            touches.add(touch("c" + (i + 1), i, i % 2 == 0 ? "anonymous_id:rc1" : "anonymous_id:rc2"));
            touches.add(i == 2 || i == 3 ? touch("d" + (i + 1), i, "anonymous_id:rd", "email:info@delta.example")
                    : touch("d" + (i + 1), i, "anonymous_id:rd"));
            touches.add(i == 2 || i == 3 ? touch("e" + (i + 1), i, "email:info@epsilon.example", "anonymous_id:re")
                    : touch("e" + (i + 1), i, "anonymous_id:re"));
        }
        touches.add(displayTouch("a-colleague", "anonymous_id:colleague"));
        touches.add(displayTouch("d-mailbox", "email:info@delta.example"));
        touches.add(displayTouch("e-mailbox", "email:info@epsilon.example"));
        List<FeedItem> memberships = List.of(
                membership("anonymous_id:ra", "p_a", "acme"), membership("contact_id:c-a", "p_a", "acme"),
                membership("anonymous_id:colleague", "p_colleague", "beta"),
                membership("anonymous_id:rb", "p_b", null), membership("contact_id:c-b", "p_b", null),
                membership("anonymous_id:rc1", "p_c1", null), membership("contact_id:c-c1", "p_c1", null),
                membership("anonymous_id:rc2", "p_c2", null), membership("contact_id:c-c2", "p_c2", null),
                membership("anonymous_id:rd", "p_d1_named", "delta"), membership("contact_id:c-d", "p_d1_named", "delta"),
                membership("email:info@delta.example", "p_d2_mailbox", "delta"),
                membership("anonymous_id:re", "p_e2_named", "epsilon"), membership("contact_id:c-e", "p_e2_named", "epsilon"),
                membership("email:info@epsilon.example", "p_e1_mailbox", "epsilon"));
        List<FeedItem> crm = new ArrayList<>();
        for (String contact : List.of("c-a", "c-b", "c-c1", "c-c2", "c-d", "c-e")) {
            crm.add(new FeedItem(crm.size() + 1, WS, "contact", new JsonObject().put("id", contact)
                    .put("createdAt", "2026-03-06T00:00:00Z").put("leadCreatedAt", "2026-03-06T00:00:00Z")));
        }
        crm.add(opportunity("opp-a", "beta", "c-a"));
        crm.add(opportunity("opp-b", "gamma", "c-b"));
        crm.add(opportunity("opp-c", null, "c-c1", "c-c2"));
        crm.add(opportunity("opp-d", "delta", "c-d"));
        crm.add(opportunity("opp-e", "epsilon", "c-e"));
        // Memberships on both sides of the CRM page: a B2C opportunity takes its first role's account either way.
        for (int round = 0; round < 2; round++) {
            pool.withTransaction(tx -> apply.applyTouches(tx, TouchItem.all(touches))
                    .chain(() -> apply.applyMemberships(tx, MembershipItem.all(memberships)))
                    .chain(() -> apply.applyCrm(tx, CrmItem.all(crm)))
                    .chain(() -> apply.applyMemberships(tx, MembershipItem.all(memberships)))).await().indefinitely();
        }
        loaded = true;
    }

    @Test
    void everyRuleBasedModelCreditsTheRolesTouchesWhereverTheirPersonsAreResolved() {
        for (String basis : List.of("PIPELINE", "REVENUE")) {
            Map<String, double[]> expected = basis.equals("PIPELINE") ? PIPELINE : REVENUE;
            for (String c : CASES) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < expected.get("LINEAR").length; i++) {
                    ids.add(c + (i + 1));
                }
                for (Map.Entry<String, double[]> model : expected.entrySet()) {
                    String what = "opp-" + c + " " + model.getKey() + " " + basis;
                    JsonPath j = ok("{ opportunityJourney(opportunityId: \"opp-" + c + "\", model: {name: " + model.getKey()
                            + ", journeyScope: CONTACT_ROLES}, basis: " + basis + ") { unattributed touches { touchId credit } } }",
                            "opportunityJourney");
                    assertEquals(ids, j.getList("touches.touchId"), what);
                    for (int i = 0; i < ids.size(); i++) {
                        assertEquals(model.getValue()[i], j.getDouble("touches[" + i + "].credit"), 1e-12, what + " touch " + (i + 1));
                    }
                }
            }
        }
    }

    /**
     * The five journeys asked at once, as a gateway's _entities asks Opportunity.journey of every opportunity of a page (one
     * read of the roles' persons' touches, each person in the windows of its journeys), are each the hand-computed one; and
     * each opportunity's account is credited its journey's channels (Account.credit, on demand over the same journeys).
     */
    @Test
    void journeysAskedTogetherAreEachTheirOwn() {
        StringBuilder reps = new StringBuilder();
        for (String c : CASES) {
            reps.append("{__typename: \"Opportunity\", id: \"opp-").append(c).append("\"} ");
        }
        for (String basis : List.of("PIPELINE", "REVENUE")) {
            Map<String, double[]> expected = basis.equals("PIPELINE") ? PIPELINE : REVENUE;
            for (Map.Entry<String, double[]> model : expected.entrySet()) {
                JsonPath r = ok("{ _entities(representations: [" + reps + "]) { ... on Opportunity { id journey(model: {name: "
                        + model.getKey() + ", journeyScope: CONTACT_ROLES}, basis: " + basis + ") { touches { touchId credit } } } } }",
                        "_entities");
                for (int k = 0; k < CASES.size(); k++) {
                    String c = CASES.get(k);
                    String what = "opp-" + c + " " + model.getKey() + " " + basis;
                    assertEquals("opp-" + c, r.getString("[" + k + "].id"), what);
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < model.getValue().length; i++) {
                        ids.add(c + (i + 1));
                        assertEquals(model.getValue()[i], r.getDouble("[" + k + "].journey.touches[" + i + "].credit"), 1e-12,
                                what + " touch " + (i + 1));
                    }
                    assertEquals(ids, r.getList("[" + k + "].journey.touches.touchId"), what);
                }
            }
        }
        StringBuilder accounts = new StringBuilder();
        for (String c : CASES) {
            String account = ok("{ opportunityJourney(opportunityId: \"opp-" + c + "\", model: {name: LINEAR}) { accountId } }",
                    "opportunityJourney").getString("accountId");
            accounts.append("{__typename: \"Account\", id: \"").append(account).append("\"} ");
        }
        JsonPath credit = ok("{ _entities(representations: [" + accounts + "]) { ... on Account { credit(period: {from:"
                + " \"2026-03-01\", to: \"2026-03-31\"}, model: {name: LINEAR, journeyScope: CONTACT_ROLES}) { key credit amount } } } }",
                "_entities");
        for (int k = 0; k < CASES.size(); k++) {
            // Touches 1-4: paid_search, email, direct, direct, a quarter of 1,000.00 each.
            assertEquals(List.of("direct", "email", "paid_search"), credit.getList("[" + k + "].credit.key"), CASES.get(k));
            assertEquals(List.of(0.5, 0.25, 0.25), credit.getList("[" + k + "].credit.credit"), CASES.get(k));
            assertEquals(List.of("500.00", "250.00", "250.00"), credit.getList("[" + k + "].credit.amount"), CASES.get(k));
        }
    }

    @Test
    void theReportOfEveryRuleBasedModelIsTheSumOfTheJourneys() {
        for (String basis : List.of("PIPELINE", "REVENUE")) {
            for (Map.Entry<String, double[]> model : (basis.equals("PIPELINE") ? PIPELINE : REVENUE).entrySet()) {
                Map<String, Double> byChannel = new HashMap<>();
                for (int i = 0; i < model.getValue().length; i++) {
                    byChannel.merge(CHANNELS[i], CASES.size() * model.getValue()[i], Double::sum);
                }
                JsonPath r = ok("{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"}, model: {name: " + model.getKey()
                        + ", journeyScope: CONTACT_ROLES}, basis: " + basis + ") { attributedOpportunities unattributedOpportunities"
                        + " rows { key credit amount } } }", "attribution");
                String what = model.getKey() + " " + basis;
                assertEquals(5, r.getInt("attributedOpportunities"), what);
                assertEquals(0, r.getInt("unattributedOpportunities"), what);
                Map<String, Double> rows = new HashMap<>();
                for (int i = 0; i < r.getList("rows").size(); i++) {
                    rows.put(r.getString("rows[" + i + "].key"), r.getDouble("rows[" + i + "].credit"));
                    assertEquals(1000 * r.getDouble("rows[" + i + "].credit"), r.getDouble("rows[" + i + "].amount"), 1e-9, what);
                }
                for (String channel : List.of("paid_search", "email", "direct")) {
                    assertEquals(byChannel.getOrDefault(channel, 0.0), rows.getOrDefault(channel, 0.0), 1e-12, what + " " + channel);
                }
                assertNull(rows.get("display"), what + ": neither the colleague nor the mailbox alone is a role");
            }
        }
    }

    @Test
    void theAccountScopeStillTakesTheAccountsPersons() {
        // opp-a's account beta holds only the colleague; opp-c's account is its first role's own.
        assertEquals(List.of("a-colleague"), ok("{ opportunityJourney(opportunityId: \"opp-a\", model: {name: LINEAR,"
                + " journeyScope: ACCOUNT}) { touches { touchId } } }", "opportunityJourney").getList("touches.touchId"));
        assertEquals(List.of("c1", "c3"), ok("{ opportunityJourney(opportunityId: \"opp-c\", model: {name: LINEAR,"
                + " journeyScope: ACCOUNT}) { touches { touchId } } }", "opportunityJourney").getList("touches.touchId"));
        assertEquals(List.of("e1", "e2", "e-mailbox", "e3", "e4"), ok("{ opportunityJourney(opportunityId: \"opp-e\","
                + " model: {name: LINEAR, journeyScope: ACCOUNT}) { touches { touchId } } }", "opportunityJourney")
                .getList("touches.touchId"));
    }

    @Test
    void dataDrivenModelsCreditExactlyTheContactRoleJourneys() {
        for (String model : List.of("MARKOV", "SHAPLEY")) {
            JsonPath r = ok("{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"}, model: {name: " + model
                    + ", journeyScope: CONTACT_ROLES}) { attributedOpportunities rows { key credit amount } } }", "attribution");
            assertEquals(5, r.getInt("attributedOpportunities"), model);
            double credit = 0;
            double amount = 0;
            for (int i = 0; i < r.getList("rows").size(); i++) {
                credit += r.getDouble("rows[" + i + "].credit");
                amount += r.getDouble("rows[" + i + "].amount");
            }
            assertEquals(5.0, credit, 1e-9, model);
            assertEquals(5000.0, amount, 1e-6, model);
        }
    }

    @Test
    void aReportComputedOnDemandLoadsAtMostItsRows() {
        Instant from = Instant.parse("2026-03-01T00:00:00Z");
        Instant to = Instant.parse("2026-04-01T00:00:00Z");
        // This workspace's March: 32 rows (28 touches, 4 of them reached through two persons' identifiers) in 7 accounts.
        assertEquals(7, new JourneyRepository(pool, null, 32).touchesByAccount(WS, from, to).await().indefinitely().size());
        OnDemandLimitException refused = assertThrows(OnDemandLimitException.class,
                () -> new JourneyRepository(pool, null, 31).touchesByAccount(WS, from, to).await().indefinitely());
        assertTrue(refused.getMessage().contains("more than 31 touches"), refused.getMessage());
    }

    private static double[] decay(double... days) {
        double[] w = new double[days.length];
        double sum = 0;
        for (int i = 0; i < days.length; i++) {
            w[i] = Math.pow(2, -days[i] / 7);
            sum += w[i];
        }
        for (int i = 0; i < days.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    private static JsonPath ok(String query, String field) {
        return AttributionApiTest.ok(WS, query, field);
    }

    private static FeedItem touch(String id, int position, String... identifiers) {
        return touch(id, TIMES[position], TYPES[position], CHANNELS[position], identifiers);
    }

    /** A touch of no role's person alone, 03-04: in no CONTACT_ROLES journey. */
    private static FeedItem displayTouch(String id, String... identifiers) {
        return touch(id, "2026-03-04T10:00:00Z", "PAGE_VIEW", "display", identifiers);
    }

    private static FeedItem touch(String id, String at, String type, String channel, String... identifiers) {
        JsonArray ids = new JsonArray();
        for (String identifier : identifiers) {
            String[] parts = identifier.split(":", 2);
            ids.add(new JsonObject().put("type", parts[0]).put("value", parts[1]));
        }
        return new FeedItem(1, WS, "touch", new JsonObject().put("id", id).put("occurredAt", at).put("type", type)
                .put("identifiers", ids).put("channel", channel).put("source", null).put("medium", null)
                .put("campaign", null).put("content", null));
    }

    private static FeedItem membership(String identifier, String person, String account) {
        String[] parts = identifier.split(":", 2);
        return new FeedItem(1, WS, "membership", new JsonObject()
                .put("identifier", new JsonObject().put("type", parts[0]).put("value", parts[1]))
                .put("personId", person).put("accountId", account));
    }

    private static FeedItem opportunity(String id, String account, String... contacts) {
        JsonArray roles = new JsonArray();
        for (String contact : contacts) {
            roles.add(new JsonObject().put("contactId", contact).put("role", "Decision Maker"));
        }
        return new FeedItem(1, WS, "opportunity", new JsonObject().put("id", id).put("accountId", account)
                .put("amount", "1000.00").put("currency", "USD").put("createdAt", "2026-03-10T00:00:00Z").put("stage", "Closed Won")
                .put("status", "WON").put("closedAt", "2026-03-20T00:00:00Z").put("contactRoles", roles)
                .put("stageHistory", new JsonArray()));
    }
}
