package io.closedloop.identity.graphql;

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
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "identity"))
class IdentitySettingsApiTest {

    @Test
    void requestWithoutTokenIsRefusedWith401() {
        graphql(null, "{ identitySettings { explosionGuardLimit } }").statusCode(401);
    }

    @Test
    void twoAliasedRootFieldsOfOneKindAreBothAnswered() {
        graphql(TestKeys.token("fresh", "analyst"), "{ a: identitySettings { explosionGuardLimit } b: identitySettings { updatedAt } }")
                .statusCode(200)
                .body("errors", nullValue())
                .body("data.a.explosionGuardLimit", equalTo(50))
                .body("data.b.updatedAt", nullValue());
    }

    @Test
    void aWorkspaceStartsWithTheDefaultExplosionGuard() {
        graphql(TestKeys.token("fresh", "analyst"), "{ identitySettings { explosionGuardLimit updatedAt } }")
                .statusCode(200)
                .body("data.identitySettings.explosionGuardLimit", equalTo(50))
                .body("data.identitySettings.updatedAt", nullValue());
    }

    @Test
    void adminChangesTheGuardOfItsOwnWorkspaceOnly() {
        graphql(TestKeys.token("acme", "admin"), "mutation { updateIdentitySettings(explosionGuardLimit: 20) { explosionGuardLimit } }")
                .body("errors", nullValue())
                .body("data.updateIdentitySettings.explosionGuardLimit", equalTo(20));
        graphql(TestKeys.token("acme", "analyst"), "{ identitySettings { explosionGuardLimit } }")
                .body("data.identitySettings.explosionGuardLimit", equalTo(20));
        graphql(TestKeys.token("globex", "analyst"), "{ identitySettings { explosionGuardLimit } }")
                .body("data.identitySettings.explosionGuardLimit", equalTo(50));
    }

    @Test
    void analystMayNotChangeSettings() {
        graphql(TestKeys.token("acme", "analyst"), "mutation { updateIdentitySettings(explosionGuardLimit: 3) { explosionGuardLimit } }")
                .body("errors[0].message", containsString("needs the role admin"));
    }

    @Test
    void aGuardBelowTwoIsRejectedNamingTheField() {
        graphql(TestKeys.token("acme", "admin"), "mutation { updateIdentitySettings(explosionGuardLimit: 1) { explosionGuardLimit } }")
                .body("errors[0].message", containsString("updateIdentitySettings.explosionGuardLimit"));
    }
}
