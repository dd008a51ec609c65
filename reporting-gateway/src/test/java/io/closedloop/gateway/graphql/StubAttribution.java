package io.closedloop.gateway.graphql;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in attribution-service for the gateway's own tests: answers {@code performance} with one
 * row and {@code marketingTouchTypes} and {@code updateMarketingTouchTypes} with a list, refuses a period starting 2020-01-01, and
 * counts the calls it gets (what the gateway's answer cache saves). Quarkus loads the test profile and
 * the test class in different class loaders, so the one server is found by a system property and its
 * count is read over HTTP ({@code GET /calls}).
 */
final class StubAttribution {

    static final StubAttribution INSTANCE = new StubAttribution();
    private static final String URL_PROPERTY = "gateway-test.stub-attribution.url";

    private final String url;

    private StubAttribution() {
        synchronized (System.getProperties()) {
            String running = System.getProperty(URL_PROPERTY);
            url = running != null ? running : start();
            System.setProperty(URL_PROPERTY, url);
        }
    }

    private static String start() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/calls", exchange -> {
            byte[] body = Integer.toString(calls.get()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/graphql", exchange -> {
            calls.incrementAndGet();
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String answer;
            if (request.contains("2020-01-01")) {
                answer = "{\"errors\":[{\"message\":\"performance: no data before 2021\"}]}";
            } else if (request.contains("updateMarketingTouchTypes")) {
                answer = "{\"data\":{\"updateMarketingTouchTypes\":[\"AD_CLICK\"]}}";
            } else if (request.contains("marketingTouchTypes")) {
                answer = "{\"data\":{\"marketingTouchTypes\":[\"AD_CLICK\",\"WEBINAR\"]}}";
            } else {
                String row = "\"credit\":2.0,\"amount\":\"300.00\",\"opportunities\":2,\"spend\":\"100.00\","
                        + "\"pipelineOpportunities\":2.0,\"pipeline\":\"300.00\",\"wonDeals\":1.0,\"revenue\":\"200.00\","
                        + "\"newCustomers\":1.0,\"roi\":1.0,\"roas\":2.0,\"cac\":\"100.00\",\"costPerOpportunity\":\"50.00\","
                        + "\"averageDealSize\":\"200.00\",\"conversionRate\":0.5,\"medianDaysToConversion\":30.0";
                answer = "{\"data\":{\"performance\":{\"model\":\"LINEAR\",\"basis\":\"PIPELINE\",\"groupBy\":\"CHANNEL\","
                        + "\"currency\":\"USD\",\"dataAsOf\":\"2026-01-01T00:00:00Z\",\"rows\":{\"totalCount\":1,"
                        + "\"pageInfo\":{\"hasNextPage\":false,\"hasPreviousPage\":false,\"startCursor\":\"c1\",\"endCursor\":\"c1\"},"
                        + "\"edges\":[{\"cursor\":\"c1\",\"node\":{\"key\":\"email\"," + row + "}}]},"
                        + "\"totals\":{\"key\":null," + row + "}}}}";
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://localhost:" + server.getAddress().getPort();
    }

    String url() {
        return url;
    }

    int calls() {
        try (var in = java.net.URI.create(url + "/calls").toURL().openStream()) {
            return Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
