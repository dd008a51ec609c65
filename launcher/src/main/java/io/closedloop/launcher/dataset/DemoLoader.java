package io.closedloop.launcher.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Loads a dataset into a running system through ingestion's public APIs, the way a customer's
 * systems would: visits as Segment batches with the workspace's write key.
 */
public final class DemoLoader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 100;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String ingestionUrl;
    private final String writeKey;

    public DemoLoader(String ingestionUrl, String writeKey) {
        this.ingestionUrl = ingestionUrl;
        this.writeKey = writeKey;
    }

    /** Sends every visit of {@code dataset} in batches of 100 messages; returns the number of messages sent. */
    public long sendVisits(Dataset dataset) throws IOException, InterruptedException {
        long[] sent = {0};
        List<ObjectNode> pending = new ArrayList<>(BATCH + 2);
        IOException[] failure = {null};
        dataset.forEachAccount(account -> {
            if (failure[0] != null) {
                return;
            }
            for (Dataset.Visit visit : account.visits()) {
                pending.addAll(SegmentMessages.of(visit, account.account().domain()));
            }
            try {
                while (pending.size() >= BATCH) {
                    List<ObjectNode> batch = new ArrayList<>(pending.subList(0, BATCH));
                    pending.subList(0, BATCH).clear();
                    sent[0] += postBatch(batch);
                }
            } catch (IOException e) {
                failure[0] = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure[0] = new IOException("interrupted", e);
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        if (!pending.isEmpty()) {
            sent[0] += postBatch(pending);
        }
        return sent[0];
    }

    private int postBatch(List<ObjectNode> messages) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode batch = body.putArray("batch");
        messages.forEach(batch::add);
        String auth = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestionUrl + "/v1/batch"))
                .header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("ingestion refused a batch: HTTP " + response.statusCode() + " " + response.body());
        }
        return messages.size();
    }
}
