package io.closedloop.attribution.graphql;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
class AttributionSettingsApiTest {

    @Test
    void requestWithoutTokenIsRefusedWith401() {
        graphql(null, "{ attributionSettings { lookbackDays } }").statusCode(401);
    }

    @Test
    void twoAliasedRootFieldsOfOneKindAreBothAnswered() {
        // Apollo Router and Apollo Gateway batch root fields for one subgraph into one document this way.
        graphql(TestKeys.token("fresh", "analyst"), "{ a: attributionSettings { lookbackDays } b: attributionSettings { halfLifeDays } }")
                .body("errors", nullValue())
                .body("data.a.lookbackDays", equalTo(365))
                .body("data.b.halfLifeDays", equalTo(7.0f));
    }

    @Test
    void atMostTwentyRootFieldsPerOperationAliasesCounted() {
        String twenty = "{" + java.util.stream.IntStream.rangeClosed(1, 20)
                .mapToObj(i -> " s" + i + ": attributionSettings { lookbackDays }").collect(java.util.stream.Collectors.joining());
        graphql(TestKeys.token("fresh", "analyst"), twenty + " }").body("errors", nullValue()).body("data.s20.lookbackDays", equalTo(365));
        graphql(TestKeys.token("fresh", "analyst"), twenty + " s21: attributionSettings { lookbackDays } }")
                .body("errors[0].message", containsString("selects 21 root fields (aliases counted); at most 20"));
        graphql(TestKeys.token("acme", "admin"), "mutation {" + java.util.stream.IntStream.rangeClosed(1, 21)
                .mapToObj(i -> " m" + i + ": updateAttributionSettings(lookbackDays: 90) { lookbackDays }")
                .collect(java.util.stream.Collectors.joining()) + " }")
                .body("errors[0].message", containsString("selects 21 root fields"));
    }

    @Test
    void aWorkspaceStartsWithTheDesignDefaults() {
        graphql(TestKeys.token("fresh", "analyst"), "{ attributionSettings { lookbackDays halfLifeDays journeyScope } }")
                .body("data.attributionSettings.lookbackDays", equalTo(365))
                .body("data.attributionSettings.halfLifeDays", equalTo(7.0f))
                .body("data.attributionSettings.journeyScope", equalTo("ACCOUNT"));
    }

    @Test
    void adminChangesOneSettingAndKeepsTheOthers() {
        graphql(TestKeys.token("acme", "admin"), "mutation { updateAttributionSettings(lookbackDays: 90) { lookbackDays halfLifeDays } }")
                .body("errors", nullValue())
                .body("data.updateAttributionSettings.lookbackDays", equalTo(90))
                .body("data.updateAttributionSettings.halfLifeDays", equalTo(7.0f));
        graphql(TestKeys.token("globex", "analyst"), "{ attributionSettings { lookbackDays } }")
                .body("data.attributionSettings.lookbackDays", equalTo(365));
    }

    @Test
    void aNegativeHalfLifeIsRejectedNamingTheField() {
        graphql(TestKeys.token("acme", "admin"), "mutation { updateAttributionSettings(halfLifeDays: -1) { halfLifeDays } }")
                .body("errors[0].message", containsString("updateAttributionSettings.halfLifeDays"));
    }

    @Test
    void ingestRoleMayNotReadSettings() {
        graphql(TestKeys.token("acme", "ingest"), "{ attributionSettings { lookbackDays } }")
                .body("errors[0].message", containsString("needs the role analyst or admin"));
    }
}
