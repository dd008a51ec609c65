package io.closedloop.gateway.federation;

import graphql.parser.Parser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans over the committed supergraph: which subgraph gets which fields, and what the gateway adds to reach entities. */
class QueryPlannerTest {

    static final Supergraph SUPERGRAPH = load();
    static final QueryPlanner PLANNER = new QueryPlanner(SUPERGRAPH, new QueryPlanner.Limits(15, 400, 20));

    static Supergraph load() {
        try (InputStream in = QueryPlannerTest.class.getResourceAsStream("/supergraph.graphql")) {
            return Supergraph.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static QueryPlan plan(String query, Map<String, Object> variables) {
        return PLANNER.plan(Operation.of(Parser.parse(query), null, variables));
    }

    @Test
    void anAccountsContactsOpportunitiesAndJourneysAreOneFetchPerSubgraphPerLevel() {
        QueryPlan plan = plan("query($ids: [String!]!) { accountsById(id: $ids) { id name persons { id } industry"
                + " opportunities(first: 20) { totalCount edges { node { id name amount journey(model: {name: W_SHAPED}) { model } } } } } }",
                Map.of("ids", List.of("a")));
        assertEquals(1, plan.roots().size());
        Fetch identity = plan.roots().get(0);
        assertEquals("identity", identity.graph());
        assertEquals("query ($ids:[String!]!){accountsById(id:$ids){id name persons{id}__typename __key_id:id}}", identity.query());
        assertEquals(List.of("ids"), identity.variables());
        Fetch ingestion = identity.dependents().get(0);
        assertEquals("ingestion", ingestion.graph());
        assertEquals("Account", ingestion.entityType());
        assertEquals(List.of("accountsById", "@"), ingestion.path());
        assertEquals("query ($__representations:[_Any!]!){_entities(representations:$__representations){...on Account{industry"
                + " opportunities(first:20){totalCount edges{node{id name amount __typename __key_id:id}}}}}}", ingestion.query());
        Fetch attribution = ingestion.dependents().get(0);
        assertEquals("attribution", attribution.graph());
        assertEquals(List.of("accountsById", "@", "opportunities", "edges", "@", "node"), attribution.path());
        assertEquals("query ($__representations:[_Any!]!){_entities(representations:$__representations){...on Opportunity{"
                + "journey(model:{name:W_SHAPED}){model}}}}", attribution.query());
        assertEquals(3, plan.fetchCount());
    }

    @Test
    void rootFieldsOfOneSubgraphShareAFetchAndAliasesAreKept() {
        QueryPlan plan = plan("{ a: attributionSettings { lookbackDays } b: attributionSettings { halfLifeDays } identitySettings"
                + " { explosionGuardLimit } ...F } fragment F on Query { c: marketingTouchTypes @skip(if: true) d: marketingTouchTypes }", Map.of());
        assertEquals(2, plan.roots().size());
        assertEquals("{a:attributionSettings{lookbackDays}b:attributionSettings{halfLifeDays}d:marketingTouchTypes}",
                plan.roots().get(0).query());
        assertEquals("{identitySettings{explosionGuardLimit}}", plan.roots().get(1).query());
    }

    @Test
    void mutationsKeepTheirOrder() {
        QueryPlan plan = plan("mutation { updateMarketingTouchTypes(types: [AD_CLICK]) x: createWriteKey(name: \"a\") { key }"
                + " y: createWriteKey(name: \"b\") { key } }", Map.of());
        assertTrue(plan.sequential());
        assertEquals(List.of("attribution", "ingestion"), plan.roots().stream().map(Fetch::graph).toList());
        assertEquals("mutation{x:createWriteKey(name:\"a\"){key}y:createWriteKey(name:\"b\"){key}}", plan.roots().get(1).query());
    }

    @Test
    void limitsAreCheckedBeforeAnyFetch() {
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 21; i++) {
            wide.append(" a").append(i).append(": marketingTouchTypes");
        }
        RequestException roots = assertThrows(RequestException.class, () -> plan(wide.append(" }").toString(), Map.of()));
        assertTrue(roots.getMessage().contains("21 root fields"), roots.getMessage());
        assertEquals("QUERY_LIMIT_EXCEEDED", roots.code());
    }
}
