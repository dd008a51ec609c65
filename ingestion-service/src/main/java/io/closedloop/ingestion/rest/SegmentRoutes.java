package io.closedloop.ingestion.rest;

import io.closedloop.ingestion.config.IngestionConfig;
import io.closedloop.ingestion.segment.Bodies;
import io.closedloop.ingestion.segment.SegmentBody;
import io.closedloop.ingestion.segment.SegmentException;
import io.closedloop.ingestion.service.SegmentService;
import io.closedloop.ingestion.service.WriteKeyAuthenticator;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * The Segment HTTP Tracking API (DESIGN §3): {@code POST /v1/track|page|screen|identify|group|alias|batch},
 * the browser short paths {@code /v1/t|p|s|i|g|a|b}, and {@code GET /v1/projects/{writeKey}/settings}
 * for analytics.js. Plain Vert.x routes reading the raw body, so that the limits (after
 * decompression), the strict JSON rules and the answers are exactly ours. CORS (preflight
 * included) is answered here, for these paths only.
 */
@ApplicationScoped
public class SegmentRoutes {

    private static final String BATCH = "batch";
    private static final Map<String, String> CALLS = Map.ofEntries(
            Map.entry("track", "track"), Map.entry("t", "track"),
            Map.entry("page", "page"), Map.entry("p", "page"),
            Map.entry("screen", "screen"), Map.entry("s", "screen"),
            Map.entry("identify", "identify"), Map.entry("i", "identify"),
            Map.entry("group", "group"), Map.entry("g", "group"),
            Map.entry("alias", "alias"), Map.entry("a", "alias"),
            Map.entry("batch", BATCH), Map.entry("b", BATCH), Map.entry("import", BATCH));

    private final SegmentService segment;
    private final WriteKeyAuthenticator writeKeys;
    private final IngestionConfig config;

    public SegmentRoutes(SegmentService segment, WriteKeyAuthenticator writeKeys, IngestionConfig config) {
        this.segment = segment;
        this.writeKeys = writeKeys;
        this.config = config;
    }

    void routes(@Observes Router router) {
        // CORS for these paths only (analytics.js posts from any site); the GraphQL API answers no cross-origin call.
        router.route("/v1/*").order(-10).handler(CorsHandler.create().addRelativeOrigin("https?://.+")
                .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
                .allowedHeaders(Set.of("Authorization", "Content-Type", "Content-Encoding")).maxAgeSeconds(86_400));
        router.post("/v1/:call").handler(this::receive);
        router.get("/v1/projects/:writeKey/settings").handler(this::settings);
        // Proactive authentication rejects a Bearer header (a JWT mechanism is installed for the GraphQL API) before
        // these routes run; answer it as the Segment API answers any wrong scheme, with a body saying what to send.
        router.route("/v1/*").failureHandler(ctx -> {
            if (ctx.failure() instanceof AuthenticationFailedException) {
                refuse(ctx, new SegmentException(401, "Authorization: use HTTP Basic with the write key as user name"));
            } else {
                ctx.next();
            }
        });
    }

    private void receive(RoutingContext ctx) {
        Instant receivedAt = Instant.now();
        HttpServerRequest request = ctx.request();
        String type = CALLS.get(ctx.pathParam("call"));
        if (type == null) {
            respond(ctx, 404, error("no such call: POST /v1/{track|page|screen|identify|group|alias|batch} or /v1/{t|p|s|i|g|a|b}"), 0);
            return;
        }
        int maxBytes = config.segment().maxRequestBytes();
        boolean gzip;
        String headerKey;
        try {
            Bodies.checkContentType(request.getHeader(HttpHeaders.CONTENT_TYPE));
            gzip = Bodies.isGzip(request.getHeader(HttpHeaders.CONTENT_ENCODING));
            headerKey = basicUser(request.getHeader(HttpHeaders.AUTHORIZATION));
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && Long.parseLong(length.strip()) > maxBytes) {
                throw SegmentException.tooLarge("body: " + length.strip() + " bytes, the limit is " + maxBytes);
            }
        } catch (SegmentException e) {
            refuse(ctx, e);
            return;
        } catch (NumberFormatException e) {
            refuse(ctx, SegmentException.badRequest("Content-Length: not a number"));
            return;
        }
        Buffer body = Buffer.buffer(4096);
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > maxBytes) {
                refused[0] = true;
                refuse(ctx, SegmentException.tooLarge("body: more than " + maxBytes + " bytes"));
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> refused[0] = true);
        request.endHandler(v -> {
            if (!refused[0]) {
                process(ctx, type, gzip, headerKey, body, receivedAt);
            }
        });
        request.resume();
    }

    private void process(RoutingContext ctx, String type, boolean gzip, String headerKey, Buffer received, Instant receivedAt) {
        if (headerKey != null) {
            // The key is in the header: an unknown one is refused before anything is decompressed or parsed.
            segment.authenticate(headerKey).subscribe().with(workspace -> {
                try {
                    // A workspace over its rate is refused before its body costs anything more.
                    SegmentService.Answer limited = segment.overRate(workspace);
                    if (limited != null) {
                        respond(ctx, limited.status(), limited.body(), limited.retryAfterSeconds());
                        return;
                    }
                    SegmentBody body = parse(ctx, type, gzip, received);
                    if (body != null) {
                        ingest(ctx, workspace, body, type, receivedAt);
                    }
                } catch (RuntimeException e) {
                    fail(ctx, e); // an exception in this callback would otherwise be dropped and the request left hanging
                }
            }, failure -> fail(ctx, failure));
            return;
        }
        SegmentBody body = parse(ctx, type, gzip, received);
        if (body == null) {
            return;
        }
        String key = SegmentService.bodyWriteKey(body);
        segment.authenticate(key).subscribe().with(workspace -> ingest(ctx, workspace, body, type, receivedAt),
                failure -> fail(ctx, failure));
    }

    /** The body decompressed and parsed; null when it was refused (the answer is sent). */
    private SegmentBody parse(RoutingContext ctx, String type, boolean gzip, Buffer received) {
        try {
            byte[] bytes = received.getBytes();
            int[] length = {bytes.length};
            if (gzip) {
                bytes = Bodies.gunzip(bytes, bytes.length, config.segment().maxRequestBytes(), length);
            }
            return SegmentBody.parse(bytes, length[0], type.equals(BATCH), config.segment().maxMessageBytes());
        } catch (SegmentException e) {
            refuse(ctx, e);
            return null;
        }
    }

    private void ingest(RoutingContext ctx, String workspace, SegmentBody body, String type, Instant receivedAt) {
        Uni.createFrom().deferred(() -> segment.ingest(workspace, body, type.equals(BATCH) ? null : type, receivedAt)).subscribe().with(
                answer -> respond(ctx, answer.status(), answer.body(), answer.retryAfterSeconds()),
                failure -> fail(ctx, failure));
    }

    private static void fail(RoutingContext ctx, Throwable failure) {
        if (failure instanceof SegmentException e) {
            refuse(ctx, e);
        } else {
            Log.warnf("segment request not stored: %s", failure.toString());
            respond(ctx, 503, error("temporarily unable to store events; retry"), 1);
        }
    }

    private void settings(RoutingContext ctx) {
        String key = ctx.pathParam("writeKey");
        writeKeys.workspaceOf(key).subscribe().with(workspace -> {
            if (workspace.isEmpty()) {
                respond(ctx, 404, error("unknown or revoked write key"), 0);
                return;
            }
            String base = config.segment().publicUrl();
            String host = base.replaceFirst("^[a-z]+://", "").replaceAll("/+$", "");
            String protocol = base.startsWith("http://") ? "http" : "https";
            JsonObject segmentIo = new JsonObject().put("apiKey", key).put("apiHost", host + "/v1").put("protocol", protocol)
                    .put("unbundledIntegrations", new JsonArray()).put("addBundledMetadata", true)
                    .put("maybeBundledConfigIds", new JsonObject())
                    .put("versionSettings", new JsonObject().put("version", "4.4.7").put("componentTypes", new JsonArray().add("browser")));
            JsonObject all = new JsonObject().put("__default", new JsonObject().put("enabled", true).put("integrations", new JsonObject()));
            JsonObject settings = new JsonObject()
                    .put("integrations", new JsonObject().put("Segment.io", segmentIo))
                    .put("plan", new JsonObject().put("track", all).put("identify", all.copy()).put("group", all.copy()))
                    .put("edgeFunction", new JsonObject()).put("analyticsNextEnabled", true)
                    .put("middlewareSettings", new JsonObject()).put("enabledMiddleware", new JsonObject())
                    .put("metrics", new JsonObject().put("sampleRate", 0)).put("legacyVideoPluginsEnabled", false)
                    .put("remotePlugins", new JsonArray());
            respond(ctx, 200, settings, 0);
        }, failure -> respond(ctx, 503, error("temporarily unavailable; retry"), 1));
    }

    /** The write key of a Basic Authorization header (its user name); null without the header; 401 for any other scheme. */
    static String basicUser(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.strip();
        if (a.length() < 6 || !a.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new SegmentException(401, "Authorization: use HTTP Basic with the write key as user name");
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(a.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String user = colon >= 0 ? decoded.substring(0, colon) : decoded;
            // Write keys are printable; a control character (a NUL) would only fail later, in the database.
            if (user.chars().anyMatch(Character::isISOControl)) {
                throw new SegmentException(401, "Authorization: the write key holds a control character");
            }
            return user;
        } catch (IllegalArgumentException e) {
            throw new SegmentException(401, "Authorization: not valid Basic credentials");
        }
    }

    private static void refuse(RoutingContext ctx, SegmentException e) {
        JsonObject body = new JsonObject().put("success", false).put("error", e.getMessage());
        if (e.status() == 413) {
            // The client may still be sending: close the connection after answering.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        if (e.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"closedloop write key\"");
        }
        respond(ctx, e.status(), body, 0);
    }

    private static JsonObject error(String message) {
        return new JsonObject().put("success", false).put("error", message);
    }

    private static void respond(RoutingContext ctx, int status, JsonObject body, long retryAfter) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (retryAfter > 0) {
            ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }
}
