package io.closedloop.ingestion.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.closedloop.ingestion.config.IngestionConfig;
import io.closedloop.ingestion.repository.SegmentRepository;
import io.closedloop.ingestion.segment.FactRow;
import io.closedloop.ingestion.segment.MessageReader;
import io.closedloop.ingestion.segment.Rejection;
import io.closedloop.ingestion.segment.SegmentBody;
import io.closedloop.ingestion.segment.SegmentException;
import io.closedloop.ingestion.segment.TouchRow;
import io.closedloop.ingestion.segment.TouchTypes;
import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import io.closedloop.plumbing.tenancy.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Segment Tracking API's use case: authenticate the write key, apply its rate limit, read
 * every message, store the valid ones in one statement, and answer as DESIGN §9 says (200 with
 * the rejected messages listed; 400 only when every message is invalid).
 */
@ApplicationScoped
public class SegmentService {

    /** An answer to a Segment request. */
    public record Answer(int status, JsonObject body, long retryAfterSeconds) {
        static Answer of(int status, JsonObject body) {
            return new Answer(status, body, 0);
        }
    }

    private final SegmentRepository repository;
    private final PrivacySettingsService privacy;
    private final WriteKeyAuthenticator writeKeys;
    private final TaxonomyService taxonomies;
    private final RateLimiter rateLimiter;
    private final TouchTypes touchTypes;
    private final IngestionConfig config;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter rejected;
    private final Timer storeTime;
    private final Timer readTime;

    public SegmentService(SegmentRepository repository, WriteKeyAuthenticator writeKeys, TaxonomyService taxonomies,
                          PrivacySettingsService privacy, IngestionConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.privacy = privacy;
        this.writeKeys = writeKeys;
        this.taxonomies = taxonomies;
        this.config = config;
        this.rateLimiter = new RateLimiter(config.segment().rateLimitPerSecond(), config.segment().rateLimitBurst());
        this.touchTypes = new TouchTypes(config.segment().formFillEvents());
        this.stored = metrics.counter("closedloop.segment.messages", "result", "stored");
        this.duplicates = metrics.counter("closedloop.segment.messages", "result", "duplicate");
        this.rejected = metrics.counter("closedloop.segment.messages", "result", "rejected");
        this.storeTime = Timer.builder("closedloop.segment.store").description("Storing a request's rows: one SQL statement and its commit")
                .register(metrics);
        this.readTime = Timer.builder("closedloop.segment.read").description("Reading a request's messages: checks, extraction, taxonomy")
                .register(metrics);
    }

    public TouchTypes touchTypes() {
        return touchTypes;
    }

    /** The workspace of a write key, or a 401. */
    public Uni<String> authenticate(String writeKey) {
        if (writeKey == null || writeKey.isEmpty()) {
            return Uni.createFrom().failure(new SegmentException(401,
                    "no write key: send it as the HTTP Basic user name (or as writeKey in the body)"));
        }
        return writeKeys.workspaceOf(writeKey).map(workspace -> workspace.orElseThrow(
                () -> new SegmentException(401, "unknown or revoked write key")));
    }

    /** The 429 of a workspace whose rate is used up (its bucket in debt), else null: nothing is taken from the bucket. */
    public Answer overRate(String workspace) {
        long wait = rateLimiter.debt(workspace, System.nanoTime());
        return wait > 0 ? rateLimited(wait) : null;
    }

    private Answer rateLimited(long waitSeconds) {
        return new Answer(429, new JsonObject().put("success", false).put("error", "rate limit: this workspace may send "
                + (long) config.segment().rateLimitPerSecond() + " messages per second; retry after " + waitSeconds + " s"), waitSeconds);
    }

    /** The body's writeKey (used only when the request has no Authorization header). */
    public static String bodyWriteKey(SegmentBody body) {
        JsonNode key = body.top().get("writeKey");
        return key != null && key.isTextual() ? key.textValue() : null;
    }

    /**
     * @param callType the call of a single-call endpoint, or null for a batch
     */
    public Uni<Answer> ingest(String workspace, SegmentBody body, String callType, Instant receivedAt) {
        long wait = rateLimiter.acquire(workspace, Math.max(1, body.messages().size()), System.nanoTime());
        if (wait > 0) {
            return Uni.createFrom().item(rateLimited(wait));
        }
        return Uni.combine().all().unis(taxonomies.forWorkspace(workspace), privacy.hashIdentifiers(workspace)).asTuple()
                .chain(settings -> readAndStore(workspace, body, callType, receivedAt, settings.getItem1(), settings.getItem2(), true));
    }

    /**
     * @param hashed the workspace's hashIdentifiers setting as this replica knows it; when the store finds it changed, the
     *               messages are read again once with the setting as stored
     */
    private Uni<Answer> readAndStore(String workspace, SegmentBody body, String callType, Instant receivedAt, ChannelTaxonomy taxonomy,
                                     boolean hashed, boolean retry) {
        Instant sentAt = callType == null ? MessageReader.bodySentAt(body.top(), receivedAt) : null;
        JsonNode batchContext = callType == null ? body.top().get("context") : null;
        MessageReader reader = new MessageReader(taxonomy, touchTypes, receivedAt, sentAt,
                batchContext != null && batchContext.isObject() ? (ObjectNode) batchContext : null,
                privacy.hashing(workspace, hashed).orElse(null));
        List<TouchRow> touches = new ArrayList<>(body.messages().size());
        List<FactRow> facts = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        long readStarted = System.nanoTime();
        for (SegmentBody.Message message : body.messages()) {
            Object result = reader.read(message, callType);
            if (result instanceof MessageReader.Result r) {
                if (r.touch() != null) {
                    touches.add(r.touch());
                }
                if (r.fact() != null) {
                    facts.add(r.fact());
                }
            } else {
                rejections.add((Rejection) result);
            }
        }
        readTime.record(System.nanoTime() - readStarted, TimeUnit.NANOSECONDS);
        rejected.increment(rejections.size());
        int valid = body.messages().size() - rejections.size();
        if (valid == 0 && !rejections.isEmpty()) {
            String what = callType != null ? rejections.get(0).field() + ": " + rejections.get(0).error()
                    : "every message of the batch is invalid";
            return Uni.createFrom().item(Answer.of(400, new JsonObject().put("success", false).put("error", what)
                    .put("rejected", json(rejections))));
        }
        if (valid == 0) {
            return Uni.createFrom().item(Answer.of(200, new JsonObject().put("success", true)));
        }
        long storeStarted = System.nanoTime();
        return repository.store(workspace, touches, facts, hashed).chain(counts -> {
            if (!counts.settingHeld()) {
                privacy.forget(workspace);
                if (!retry) {
                    return Uni.createFrom().item(Answer.of(503, new JsonObject().put("success", false)
                            .put("error", "the workspace's privacy setting changed while this request was stored; retry")));
                }
                return privacy.current(workspace).chain(now -> readAndStore(workspace, body, callType, receivedAt, taxonomy, now, false));
            }
            storeTime.record(System.nanoTime() - storeStarted, TimeUnit.NANOSECONDS);
            long rows = touches.size() + facts.size();
            long fresh = counts.touches() + counts.facts();
            stored.increment(fresh);
            duplicates.increment(rows - fresh);
            JsonObject answer = new JsonObject().put("success", true);
            if (!rejections.isEmpty()) {
                answer.put("rejected", json(rejections));
            }
            return Uni.createFrom().item(Answer.of(200, answer));
        });
    }

    private static JsonArray json(List<Rejection> rejections) {
        JsonArray array = new JsonArray();
        for (Rejection r : rejections) {
            array.add(new JsonObject().put("index", r.index()).put("messageId", r.messageId())
                    .put("field", r.field()).put("error", r.error()));
        }
        return array;
    }
}
