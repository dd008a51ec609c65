package io.closedloop.endtoend;

import io.closedloop.launcher.ServiceName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** The four services as real processes: health, queries through the gateway, workspace isolation, crash and restart. */
class SpineIT {

    static RunningSystem running;

    @BeforeAll
    static void start() throws Exception {
        running = RunningSystem.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void everyServiceIsLiveAndReady() {
        for (ServiceName s : ServiceName.values()) {
            given().get(running.url(s) + "/q/health/live").then().statusCode(200);
            given().get(running.url(s) + "/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            given().get(running.url(s) + "/q/metrics").then().statusCode(200);
        }
    }

    @Test
    void theGatewayAnswersFromEachSubgraphWithTheCallersToken() {
        String admin = running.token("acme", "admin");
        String key = running.graphql(ServiceName.INGESTION, admin, "mutation { createWriteKey(name: \"site\") { key } }")
                .body("errors", nullValue()).extract().path("data.createWriteKey.key");
        running.graphql(ServiceName.IDENTITY, admin, "mutation { updateIdentitySettings(explosionGuardLimit: 30) { explosionGuardLimit } }")
                .body("errors", nullValue());

        running.graphql(ServiceName.GATEWAY, admin, "{ writeKeys { key } identitySettings { explosionGuardLimit } attributionSettings { lookbackDays } }")
                .statusCode(200)
                .body("errors", nullValue())
                .body("data.writeKeys.key", hasItem(key))
                .body("data.identitySettings.explosionGuardLimit", equalTo(30))
                .body("data.attributionSettings.lookbackDays", equalTo(365));
    }

    @Test
    void anotherWorkspaceOrNoTokenSeesNothing() {
        running.graphql(ServiceName.INGESTION, running.token("initech", "admin"), "mutation { createWriteKey(name: \"x\") { key } }")
                .body("errors", nullValue());
        running.graphql(ServiceName.GATEWAY, running.token("umbrella", "admin"), "{ writeKeys { key } identitySettings { explosionGuardLimit } }")
                .statusCode(200)
                .body("data.writeKeys", hasSize(0))
                .body("data.identitySettings.explosionGuardLimit", equalTo(50));
        running.graphql(ServiceName.GATEWAY, null, "{ writeKeys { key } }").statusCode(401);
        running.graphql(ServiceName.GATEWAY, running.token("umbrella", "analyst"), "{ writeKeys { key } }")
                .body("errors[0].message", containsString("needs the role admin"));
    }

    @Test
    void aServiceKilledWithSigkillComesBackWithItsData() throws Exception {
        String admin = running.token("hooli", "admin");
        running.graphql(ServiceName.ATTRIBUTION, admin, "mutation { updateAttributionSettings(lookbackDays: 120) { lookbackDays } }")
                .body("errors", nullValue());
        running.system.killAndRestart(ServiceName.ATTRIBUTION);
        running.graphql(ServiceName.GATEWAY, admin, "{ attributionSettings { lookbackDays } }")
                .body("data.attributionSettings.lookbackDays", equalTo(120));
    }
}
