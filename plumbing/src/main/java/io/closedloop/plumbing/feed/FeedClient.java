package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Fetches pages of another service's feed over HTTP ({@code GET /feeds/{stream}?after=&limit=}, role {@code service}),
 * and posts the consumer's reports back to it.
 */
public final class FeedClient implements FeedSource {

    private final WebClient web;
    private final String baseUrl;
    private final Supplier<String> serviceToken;
    private final long timeoutMillis;

    public FeedClient(Vertx vertx, String baseUrl, String serviceToken, long timeoutMillis) {
        this(vertx, baseUrl, () -> serviceToken, timeoutMillis);
    }

    /** With a token read anew for every page ({@link ServiceToken}: a file replaced before the token expires). */
    public FeedClient(Vertx vertx, String baseUrl, Supplier<String> serviceToken, long timeoutMillis) {
        this.web = WebClient.create(vertx);
        this.baseUrl = baseUrl;
        this.serviceToken = serviceToken;
        this.timeoutMillis = timeoutMillis;
    }

    public Uni<FeedPage> fetch(String stream, String after, int limit) {
        return fetch(stream, FeedPartition.ALL, after, limit);
    }

    /** A page of one partition of the stream (docs/feeds.md "Partitions"). */
    @Override
    public Uni<FeedPage> fetch(String stream, FeedPartition partition, String after, int limit) {
        return fetch(stream, partition, after, limit, 0);
    }

    @Override
    public Uni<FeedPage> fetch(String stream, FeedPartition partition, String after, int limit, long waitMillis) {
        return web.getAbs(baseUrl + "/feeds/" + stream)
                .addQueryParam("after", after == null ? "" : after)
                .addQueryParam("limit", Integer.toString(limit))
                .addQueryParam("partition", partition.toString())
                .addQueryParam("wait", Long.toString(waitMillis))
                .putHeader("Authorization", "Bearer " + serviceToken.get())
                .timeout(timeoutMillis)
                .send()
                .map(response -> {
                    if (response.statusCode() == 401 || response.statusCode() == 403) {
                        throw new FeedRefusedException("feed " + stream + " at " + baseUrl + " refused this consumer's token: HTTP "
                                + response.statusCode() + ": " + response.bodyAsString());
                    }
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("feed " + stream + " at " + baseUrl + " answered HTTP "
                                + response.statusCode() + ": " + response.bodyAsString());
                    }
                    JsonObject body = response.bodyAsJsonObject();
                    JsonArray array = body.getJsonArray("items");
                    List<FeedItem> items = new ArrayList<>(array.size());
                    for (int i = 0; i < array.size(); i++) {
                        JsonObject item = array.getJsonObject(i);
                        items.add(new FeedItem(item.getLong("seq"), item.getString("workspace"), item.getString("kind"),
                                item.getJsonObject("payload")));
                    }
                    // A producer that does not count what it walked holds only its whole stream's items.
                    return new FeedPage(items, body.getString("next"), body.getInteger("walked", items.size()));
                });
    }

    /**
     * Posts a consumer's report back to its producer ({@code POST path}, JSON, the same token), such as its part of an
     * erasure job: emits the HTTP status; refused credentials fail as {@link FeedRefusedException}.
     */
    public Uni<Integer> post(String path, JsonObject body) {
        return web.postAbs(baseUrl + path)
                .putHeader("Authorization", "Bearer " + serviceToken.get())
                .putHeader("Content-Type", "application/json")
                .timeout(timeoutMillis)
                .sendBuffer(Buffer.buffer(body.encode()))
                .map(response -> {
                    if (response.statusCode() == 401 || response.statusCode() == 403) {
                        throw new FeedRefusedException(path + " at " + baseUrl + " refused this consumer's token: HTTP " + response.statusCode());
                    }
                    return response.statusCode();
                });
    }

    /**
     * Posts reports waiting in a consumer's outbox one after the other; each one the producer took (204) or says it has no
     * use for (410 Gone) is handed to {@code taken} (which deletes it); any other answer, a 404 from a proxy or an older
     * producer included, leaves it for the next attempt.
     */
    public <R> Uni<Void> postReports(List<R> reports, Function<R, String> path, Function<R, JsonObject> body, Function<R, Uni<Void>> taken) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (R report : reports) {
            chain = chain.chain(() -> post(path.apply(report), body.apply(report)).chain(status -> {
                if (status == 204 || status == 410) {
                    return taken.apply(report);
                }
                Log.warnf("%s at %s answered HTTP %d; retrying", path.apply(report), baseUrl, status);
                return Uni.createFrom().voidItem();
            }));
        }
        return chain;
    }

    public void close() {
        web.close();
    }

    /** The producer refused the consumer's credentials (401, 403): this consumer's problem, not the producer's. */
    public static final class FeedRefusedException extends IllegalStateException {
        FeedRefusedException(String message) {
            super(message);
        }
    }
}
