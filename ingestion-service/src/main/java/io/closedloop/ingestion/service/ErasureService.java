package io.closedloop.ingestion.service;

import io.closedloop.ingestion.config.IngestionConfig;
import io.closedloop.ingestion.privacy.IdentifierHashing;
import io.closedloop.ingestion.privacy.Tombstones;
import io.closedloop.ingestion.repository.ErasureRepository;
import io.closedloop.ingestion.repository.ErasureRepository.Job;
import io.closedloop.ingestion.segment.Identifier;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.closedloop.plumbing.feed.KafkaRelay;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Erasure of a person (DESIGN §6) as a job that survives restarts, driven in stages:
 * <ol>
 * <li>REQUESTED: the job and tombstones of the request's identifiers are stored (new data naming them is refused
 * from now on); then, in a later transaction, a marker on the identity-facts feed carries the request to identity
 * after every fact stored before it.</li>
 * <li>RESOLVING: identity applies the marker, finds the person, erases its graph and posts every identifier of the
 * person back ({@link #acceptIdentity}).</li>
 * <li>DELETING: ingestion tombstones them all and deletes what names them, in chunks that each commit quickly.</li>
 * <li>APPLYING: the erasures feed names them to attribution, which deletes its derived rows and reports
 * ({@link #acceptAttribution}).</li>
 * <li>DONE: the values are dropped from the job and the feed items that carried them are deleted.</li>
 * </ol>
 * Each step is idempotent and every transaction locks the job row, so a restart or a second replica resumes it.
 */
@ApplicationScoped
public class ErasureService {

    public static final List<String> SERVICES = List.of("ingestion", "identity", "attribution");

    static final Set<String> TYPES = Set.of(Identifier.ANONYMOUS_ID, Identifier.USER_ID, Identifier.EMAIL, Identifier.PHONE,
            Identifier.CONTACT_ID);

    /** What each chunk works on, in order; the count of each kind is reported under its name. */
    private static final List<String> KINDS = List.of("touches", "identityFacts", "contacts", "importJobs");

    private final Pool pool;
    private final ErasureRepository repository;
    private final Tombstones tombstones;
    private final PrivacySettingsService privacy;
    private final Vertx vertx;
    private final int chunkSize;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    public ErasureService(Pool pool, ErasureRepository repository, Tombstones tombstones, PrivacySettingsService privacy, Vertx vertx,
                          IngestionConfig config) {
        this.privacy = privacy;
        this.pool = pool;
        this.repository = repository;
        this.tombstones = tombstones;
        this.vertx = vertx;
        this.chunkSize = config.erasure().chunkSize();
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(1000, id -> runPending());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** {type, value} normalized as stored (emails lower-cased, phones as digits); errors name {@code field}. */
    public static Identifier normalize(String type, String value, String field) {
        String t = type == null ? "" : type.strip().toLowerCase(Locale.ROOT);
        if (!TYPES.contains(t)) {
            throw new IllegalArgumentException(field + ".type: '" + type + "' is not one of " + new java.util.TreeSet<>(TYPES));
        }
        String v = value == null ? null : value.strip();
        if (t.equals(Identifier.EMAIL)) {
            v = Identifier.email(v);
        } else if (t.equals(Identifier.PHONE)) {
            v = Identifier.phone(v);
        }
        if (v == null || v.isEmpty() || v.length() > 320) {
            throw new IllegalArgumentException(field + ".value: not a valid " + t);
        }
        return new Identifier(t, v);
    }

    /** Starts an erasure, or returns the one already started for the same identifiers. */
    public Uni<Job> request(String workspace, List<Identifier> identifiers) {
        // A workspace with hashIdentifiers stores emails and phones hashed: the request names them as stored.
        return privacy.current(workspace).chain(on -> {
            IdentifierHashing hashing = on ? tombstones.hashing(workspace) : null;
            List<Identifier> stored = identifiers.stream().map(i -> hashing == null ? i
                    : i.type().equals(Identifier.EMAIL) ? new Identifier(i.type(), hashing.email(i.value()))
                    : i.type().equals(Identifier.PHONE) ? new Identifier(i.type(), hashing.phone(i.value())) : i).toList();
            return start(workspace, stored);
        });
    }

    private Uni<Job> start(String workspace, List<Identifier> identifiers) {
        List<Identifier> distinct = List.copyOf(new LinkedHashSet<>(identifiers));
        String hash = tombstones.requestHash(workspace, distinct.stream().map(i -> i.type() + ":" + i.value()).toList());
        JsonObject reports = new JsonObject();
        SERVICES.forEach(s -> reports.put(s, new JsonObject().put("state", "PENDING").put("removed", new JsonObject()).put("chunks", 0)));
        String id = "er_" + UUID.randomUUID().toString().replace("-", "");
        return pool.withTransaction(c -> repository.insert(c, id, workspace, hash, distinct, reports)
                        .call(job -> repository.tombstone(c, workspace, job.id(), hashes(workspace, distinct))))
                .call(job -> job.stage().equals("REQUESTED") ? markRequested(job.id()) : Uni.createFrom().voidItem())
                .chain(job -> find(workspace, job.id()));
    }

    public Uni<Job> find(String workspace, String id) {
        return pool.withConnection(c -> repository.find(c, id, false))
                .map(job -> job == null || !job.workspace().equals(workspace) ? null : job);
    }

    /**
     * Identity has erased the person and names every identifier it had (the request's included). Returns false when
     * there is no such job in the workspace.
     */
    public Uni<Boolean> acceptIdentity(String workspace, String id, List<Identifier> identifiers, JsonObject removed) {
        return pool.withTransaction(c -> repository.find(c, id, true).chain(job -> {
            if (job == null || !job.workspace().equals(workspace)) {
                return Uni.createFrom().item(false);
            }
            if (!job.stage().equals("RESOLVING")) {
                return Uni.createFrom().item(true); // a retry of a report already taken
            }
            Set<Identifier> all = new LinkedHashSet<>(job.requested());
            all.addAll(identifiers);
            List<Identifier> list = List.copyOf(all);
            JsonObject reports = job.reports().copy();
            reports.put("identity", new JsonObject().put("state", "DONE").put("removed", removed).put("chunks", 1));
            return repository.tombstone(c, workspace, id, hashes(workspace, list))
                    .chain(() -> repository.update(c, id, "DELETING", list, reports)).replaceWith(true);
        })).invoke(found -> vertx.runOnContext(this::runPending));
    }

    /** Attribution has deleted its derived rows: the job is done. Returns false when there is no such job in the workspace. */
    public Uni<Boolean> acceptAttribution(String workspace, String id, JsonObject removed) {
        return pool.withTransaction(c -> repository.find(c, id, true).chain(job -> {
            if (job == null || !job.workspace().equals(workspace)) {
                return Uni.createFrom().item(false);
            }
            if (!job.stage().equals("APPLYING")) {
                return Uni.createFrom().item(true);
            }
            JsonObject reports = job.reports().copy();
            reports.put("attribution", new JsonObject().put("state", "DONE").put("removed", removed).put("chunks", 1));
            return repository.finish(c, id, reports).replaceWith(true);
        }));
    }

    /** Drives every job at a stage ingestion owns; one run at a time per replica, each step under the job's row lock. */
    void runPending() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        pool.withConnection(repository::runnable)
                .chain(ids -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (String id : ids) {
                        chain = chain.chain(() -> drive(id).onFailure().recoverWithUni(e -> failed(id, e)));
                    }
                    return chain;
                })
                .subscribe().with(done -> running.set(false), e -> {
                    running.set(false);
                    Log.warnf("erasure jobs not driven: %s; retrying", e.getClass().getSimpleName());
                });
    }

    private Uni<Void> drive(String id) {
        return pool.withConnection(c -> repository.find(c, id, false)).chain(job -> switch (job.stage()) {
            case "REQUESTED" -> markRequested(id);
            case "DELETING" -> deleteChunks(id);
            default -> Uni.createFrom().voidItem();
        });
    }

    private Uni<Void> markRequested(String id) {
        return pool.withTransaction(c -> repository.find(c, id, true).chain(job -> !job.stage().equals("REQUESTED")
                ? Uni.createFrom().voidItem()
                : repository.insertMarker(c, job.workspace(), id, job.requested())
                        .chain(() -> repository.update(c, id, "RESOLVING", null, job.reports()))));
    }

    private Uni<Void> deleteChunks(String id) {
        return pool.withConnection(c -> repository.find(c, id, false)).chain(job -> {
            if (job == null || !job.stage().equals("DELETING")) {
                return Uni.createFrom().voidItem();
            }
            return found(job, 0).chain(rows -> pool.withTransaction(c -> repository.find(c, id, true).chain(locked ->
                            locked.stage().equals("DELETING") ? chunk(c, locked, rows) : Uni.createFrom().item(false))))
                    .chain(more -> more ? deleteChunks(id) : Uni.createFrom().voidItem());
        });
    }

    /** What the next chunk works on: the first kind with rows left (touches and facts are found before the transaction). */
    private record Found(String kind, List<String> ids) {
    }

    private Uni<Found> found(Job job, int kind) {
        if (kind == KINDS.size()) {
            return Uni.createFrom().nullItem();
        }
        String name = KINDS.get(kind);
        if (!name.equals("touches") && !name.equals("identityFacts")) {
            return Uni.createFrom().item(new Found(name, null)); // found and changed by one statement in the chunk's transaction
        }
        return repository.find(pool, name.equals("touches") ? "touch" : "identity_fact", job.workspace(), job.identifiers(), chunkSize)
                .chain(ids -> ids.isEmpty() ? found(job, kind + 1) : Uni.createFrom().item(new Found(name, ids)));
    }

    /**
     * One transaction's worth of deleting: the rows found, or the contacts and import jobs naming the person; when nothing
     * is left, the feed item for attribution.
     */
    private Uni<Boolean> chunk(SqlConnection c, Job job, Found found) {
        return chunkOf(c, job, found).chain(done -> {
            if (done != null) {
                JsonObject reports = job.reports().copy();
                JsonObject mine = reports.getJsonObject("ingestion");
                JsonObject removed = mine.getJsonObject("removed");
                removed.put(done.kind, removed.getLong(done.kind, 0L) + done.count);
                mine.put("chunks", mine.getInteger("chunks", 0) + 1).put("state", "PENDING").remove("reason");
                return repository.update(c, job.id(), "DELETING", job.identifiers(), reports).replaceWith(true);
            }
            JsonObject reports = job.reports().copy();
            JsonObject mine = reports.getJsonObject("ingestion");
            mine.put("state", "DONE").remove("reason");
            KINDS.forEach(k -> mine.getJsonObject("removed").put(k, mine.getJsonObject("removed").getLong(k, 0L)));
            return repository.insertFeedItem(c, job.workspace(), job.id(), job.identifiers())
                    .chain(() -> repository.update(c, job.id(), "APPLYING", job.identifiers(), reports)).replaceWith(false);
        });
    }

    private record Deleted(String kind, int count) {
    }

    /** Deletes or clears one chunk, starting at the kind found; null when no kind has anything left. */
    private Uni<Deleted> chunkOf(SqlConnection c, Job job, Found found) {
        if (found == null) {
            return Uni.createFrom().nullItem();
        }
        String ws = job.workspace();
        List<Identifier> ids = job.identifiers();
        // With the Kafka transport, what the relay is sending goes out first, and nothing more until this commits
        // (KafkaRelay: the person's items are all in the topics before the erasure is announced, none after).
        Uni<Integer> n = KafkaRelay.awaitPagesInFlight(c).chain(() -> switch (found.kind()) {
            case "touches" -> repository.delete(c, "touch", ws, found.ids(), ids);
            case "identityFacts" -> repository.delete(c, "identity_fact", ws, found.ids(), ids);
            case "contacts" -> repository.clearContacts(c, ws, ids, chunkSize);
            default -> repository.scrubImportErrors(c, ws, patterns(ids), chunkSize);
        });
        int next = KINDS.indexOf(found.kind()) + 1;
        // Rows found before the transaction are a chunk even if they went meanwhile: the next find moves on.
        return n.chain(count -> count > 0 || found.ids() != null ? Uni.createFrom().item(new Deleted(found.kind(), count))
                : next == KINDS.size() ? Uni.createFrom().nullItem()
                : chunkOf(c, job, new Found(KINDS.get(next), null)));
    }

    private Uni<Void> failed(String id, Throwable e) {
        Log.warnf("erasure %s: a step failed (%s); it is retried", id, e.getClass().getSimpleName());
        return pool.withTransaction(c -> repository.find(c, id, true).chain(job -> {
            JsonObject reports = job.reports().copy();
            reports.getJsonObject("ingestion").put("state", "FAILED").put("reason", e.getClass().getSimpleName() + ": retried every second");
            return repository.update(c, id, job.stage(), job.identifiers(), reports);
        })).onFailure().recoverWithNull().replaceWithVoid();
    }

    private List<String> hashes(String workspace, List<Identifier> identifiers) {
        List<String> out = new ArrayList<>();
        var hash = tombstones.hasher(workspace);
        identifiers.forEach(i -> out.add(hash.apply(i.type(), i.value())));
        return out;
    }

    /** ILIKE patterns finding the values in free text: each value, and an email's local part (what a message may quote). */
    static List<String> patterns(List<Identifier> identifiers) {
        Set<String> texts = new LinkedHashSet<>();
        for (Identifier i : identifiers) {
            if (i.value().length() < 3) {
                continue; // a value this short matches any text: it would scrub other people's samples
            }
            texts.add(i.value());
            if (i.type().equals(Identifier.EMAIL) && i.value().indexOf('@') >= 3) {
                texts.add(i.value().substring(0, i.value().indexOf('@')));
            }
        }
        return texts.stream().map(t -> "%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%").toList();
    }
}
