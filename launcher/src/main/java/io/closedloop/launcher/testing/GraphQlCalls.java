package io.closedloop.launcher.testing;

import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

import java.util.Map;

import static io.restassured.RestAssured.given;

/** GraphQL requests in tests, the way a client sends them: a POST of {@code {"query": ...}} with an optional bearer token. */
public final class GraphQlCalls {

    private GraphQlCalls() {
    }

    /** To the application under test ({@code @QuarkusTest} sets rest-assured's base URI and port). */
    public static ValidatableResponse graphql(String token, String query) {
        return request(token, query).post("/graphql").then();
    }

    /** To the service at {@code baseUrl}, e.g. a process started by the end-to-end harness. */
    public static ValidatableResponse graphql(String baseUrl, String token, String query) {
        return request(token, query).post(baseUrl + "/graphql").then();
    }

    private static RequestSpecification request(String token, String query) {
        RequestSpecification request = given().contentType("application/json").body(Map.of("query", query));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }
}
