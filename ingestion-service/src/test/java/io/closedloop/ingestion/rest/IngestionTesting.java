package io.closedloop.ingestion.rest;

import io.closedloop.launcher.testing.TestKeys;
import io.restassured.path.json.JsonPath;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;

/** Set-up through the public API, as users do it, and feed reading as a consumer does it. */
public final class IngestionTesting {

    private IngestionTesting() {
    }

    /** A new write key of {@code workspace}, created by its admin through GraphQL. */
    public static String writeKey(String workspace) {
        return graphql(TestKeys.token(workspace, "admin"), "mutation { createWriteKey(name: \"test\") { key } }")
                .statusCode(200).body("errors", nullValue()).extract().path("data.createWriteKey.key");
    }

    public static String serviceToken() {
        return TestKeys.serviceToken("ingestion/touches", "ingestion/identity-facts", "ingestion/crm", "ingestion/revenue",
                "ingestion/spend", "ingestion/erasures");
    }

    /** One page of a feed. */
    public static JsonPath feedPage(String stream, String after, int limit) {
        return given().auth().oauth2(serviceToken())
                .queryParam("after", after == null ? "" : after).queryParam("limit", limit)
                .get("/feeds/" + stream).then().statusCode(200).extract().jsonPath();
    }

    /** Every item of {@code stream} about {@code workspace}, reading the feed from the start in pages. */
    public static List<Map<String, Object>> feed(String stream, String workspace) {
        List<Map<String, Object>> items = new ArrayList<>();
        String after = "";
        while (true) {
            JsonPath page = feedPage(stream, after, 1000);
            List<Map<String, Object>> got = page.getList("items");
            if (got.isEmpty()) {
                return items;
            }
            for (Map<String, Object> item : got) {
                if (workspace.equals(item.get("workspace"))) {
                    items.add(item);
                }
            }
            after = page.getString("next");
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> payload(Map<String, Object> item) {
        return (Map<String, Object>) item.get("payload");
    }
}
