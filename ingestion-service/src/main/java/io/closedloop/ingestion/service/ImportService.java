package io.closedloop.ingestion.service;

import io.closedloop.ingestion.ImportJob;
import io.closedloop.ingestion.ImportState;
import io.closedloop.ingestion.config.IngestionConfig;
import io.closedloop.ingestion.crm.Inputs;
import io.closedloop.ingestion.crm.ItemResult;
import io.closedloop.ingestion.csv.ColumnMapping;
import io.closedloop.ingestion.csv.CsvException;
import io.closedloop.ingestion.csv.CsvReader;
import io.closedloop.ingestion.csv.ImportKind;
import io.closedloop.ingestion.csv.MappingException;
import io.closedloop.ingestion.repository.ImportJobRepository;
import io.closedloop.plumbing.tenancy.RateLimiter;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * CSV imports (DESIGN §9 "CSV import"): the upload is spooled to a file, its header checked
 * against the mapping, and a job started at once; the job streams the file in bounded memory,
 * converts each row to the kind's input item and stores chunks through {@link CrmService} (the
 * same checks and upserts as the GraphQL mutations), committing at least every
 * {@code commit-interval} (about a second) so it never holds back the feeds for long. Progress
 * and the first rejected rows are written after every chunk.
 */
@ApplicationScoped
public class ImportService {

    private final CrmService crm;
    private final ImportJobRepository jobs;
    private final IngestionConfig.Imports config;
    private final ExecutorService executor;
    /** Rows each workspace's imports may still store: imports pace themselves by it. */
    private final RateLimiter rowRate;
    /** Imports admitted and not ended, per workspace (spooling, queued or running). */
    private final Map<String, Integer> admitted = new HashMap<>();
    private int admittedTotal;
    /**
     * Jobs accepted and not ended, waiting for a free slot or running (a running one may pause for its workspace's rate):
     * their heartbeat is kept fresh so they do not look interrupted.
     */
    private final Set<String> alive = ConcurrentHashMap.newKeySet();
    private final long heartbeatTimer;
    private final Vertx vertx;

    public ImportService(CrmService crm, ImportJobRepository jobs, IngestionConfig config, Vertx vertx) {
        this.crm = crm;
        this.jobs = jobs;
        this.config = config.imports();
        this.vertx = vertx;
        this.rowRate = new RateLimiter(this.config.rowsPerSecond(), this.config.rowsBurst());
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(this.config.concurrency(), r -> {
            Thread t = new Thread(r, "csv-import-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.heartbeatTimer = vertx.setPeriodic(this.config.heartbeatInterval().toMillis(), id -> {
            if (!alive.isEmpty()) {
                jobs.heartbeat(List.copyOf(alive)).subscribe().with(ok -> { }, e -> Log.warnf("import heartbeat: %s", e.getMessage()));
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(heartbeatTimer);
        executor.shutdownNow();
    }

    /** Room for one more import; release it when the import ends or is refused. */
    public final class Admission {
        private final String workspace;
        private boolean released;

        private Admission(String workspace) {
            this.workspace = workspace;
        }

        public void release() {
            synchronized (ImportService.this) {
                if (!released) {
                    released = true;
                    admittedTotal--;
                    admitted.computeIfPresent(workspace, (w, n) -> n == 1 ? null : n - 1);
                }
            }
        }
    }

    /**
     * Admits one more import of {@code workspace}, or null when it already has {@code max-per-workspace} imports or this
     * replica has {@code concurrency + max-queued}: asked before anything is spooled, so a refused upload costs no disk.
     */
    public synchronized Admission admit(String workspace) {
        if (admitted.getOrDefault(workspace, 0) >= config.maxPerWorkspace()
                || admittedTotal >= config.concurrency() + config.maxQueued()) {
            return null;
        }
        admitted.merge(workspace, 1, Integer::sum);
        admittedTotal++;
        return new Admission(workspace);
    }

    /** The limits admit enforces, for the 429's message. */
    public String admissionLimits() {
        return "at most " + config.maxPerWorkspace() + " imports of a workspace and " + (config.concurrency() + config.maxQueued())
                + " in all may run or wait at once";
    }

    public Path spoolDirectory() {
        return Path.of(config.spoolDirectory());
    }

    public long maxUploadBytes() {
        return config.maxUploadBytes();
    }

    /**
     * Checks the spooled file's header against the mapping and starts the job.
     *
     * @throws MappingException (as a failed Uni) when the header does not fit; the file is deleted (the caller releases
     *                          the admission when the Uni fails; the job releases it when it ends)
     */
    public Uni<ImportJob> start(String workspace, ImportKind kind, String mapping, Path file, Admission admission) {
        return Uni.createFrom().item(() -> {
            try (CsvReader reader = reader(file)) {
                List<String> header = reader.next();
                if (header == null) {
                    throw new MappingException("the file is empty; a CSV import starts with a header row");
                }
                return ColumnMapping.resolve(kind, mapping, header);
            } catch (CsvException e) {
                throw new MappingException("header: " + e.getMessage());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) // not the import slots: a queued upload is answered at once
                .onFailure().invoke(() -> delete(file)).chain(columns -> {
            String id = UUID.randomUUID().toString();
            return jobs.create(id, workspace, kind, columns.mapping()).map(createdAt -> {
                alive.add(id);
                executor.submit(() -> {
                    try {
                        run(id, workspace, kind, columns, file);
                    } finally {
                        alive.remove(id);
                        admission.release();
                    }
                });
                return new ImportJob(id, kind, columns.mapping(), ImportState.RUNNING, 0, 0, 0, List.of(), null, createdAt, null);
            });
        });
    }

    public Uni<ImportJob> find(String workspace, String id) {
        return jobs.find(workspace, id);
    }

    /** The workspace's jobs newest first: {@code limit} of them after the one created at {@code createdAt} with {@code id}, if given. */
    public Uni<List<ImportJob>> list(String workspace, OffsetDateTime createdAt, String id, int limit) {
        return jobs.page(workspace, createdAt, id, limit);
    }

    public Uni<Integer> count(String workspace) {
        return jobs.count(workspace);
    }

    private void run(String id, String workspace, ImportKind kind, ColumnMapping columns, Path file) {
        long read = 0;
        long accepted = 0;
        long rejected = 0;
        List<ImportJob.RowError> errors = new ArrayList<>();
        long started = System.nanoTime();
        try (CsvReader reader = reader(file)) {
            reader.next(); // the header
            List<Object> chunk = new ArrayList<>();
            List<Long> rows = new ArrayList<>();
            long chunkStarted = System.nanoTime();
            long interval = config.commitInterval().toNanos();
            while (true) {
                List<String> record = reader.next();
                if (record != null) {
                    read++;
                    // Columns missing at the end of a row are empty values; required ones are then rejected by name.
                    chunk.add(columns.toInput(record));
                    rows.add(read);
                }
                boolean flush = record == null || chunk.size() >= config.maxChunkRows() || System.nanoTime() - chunkStarted >= interval;
                if (flush && !chunk.isEmpty()) {
                    List<ItemResult> results = store(workspace, kind, chunk);
                    for (ItemResult r : results) {
                        if (r.status() == ItemResult.Status.REJECTED) {
                            rejected++;
                            keep(errors, new ImportJob.RowError(rows.get(r.index()), r.id(), r.field(), r.error()));
                        } else {
                            accepted++;
                        }
                    }
                    int stored = chunk.size();
                    chunk.clear();
                    rows.clear();
                    jobs.progress(id, read, accepted, rejected, errors).await().atMost(Duration.ofMinutes(1));
                    pace(workspace, stored, record != null);
                    chunkStarted = System.nanoTime();
                }
                if (record == null) {
                    break;
                }
            }
            String message = read + " rows read, " + accepted + " accepted, " + rejected + " rejected in "
                    + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s";
            jobs.finish(id, ImportState.SUCCEEDED, message, read, accepted, rejected, errors).await().atMost(Duration.ofMinutes(1));
            Log.infof("import %s (%s) done: %s", id, kind.path(), message);
        } catch (CsvException e) {
            fail(id, "stopped at " + e.getMessage() + "; rows before it were stored", read, accepted, rejected, errors);
        } catch (Exception e) {
            Log.warnf(e, "import %s failed", id);
            fail(id, "failed: " + e.getMessage() + "; rows counted as accepted were stored", read, accepted, rejected, errors);
        } finally {
            delete(file);
        }
    }

    /**
     * Charges a chunk's rows to the workspace and, unless it was the last, waits (this import's thread, its progress
     * written) while the workspace is over its rate; the next import of the workspace finds the debt.
     */
    private void pace(String workspace, int stored, boolean more) throws InterruptedException {
        rowRate.charge(workspace, stored, System.nanoTime());
        for (long wait; more && (wait = rowRate.debt(workspace, System.nanoTime())) > 0; ) {
            Thread.sleep(Math.min(wait, 5) * 1000);
        }
    }

    @SuppressWarnings("unchecked")
    private List<ItemResult> store(String workspace, ImportKind kind, List<Object> chunk) {
        Uni<List<ItemResult>> results = switch (kind) {
            case ACCOUNTS -> crm.upsertAccounts(workspace, (List<Inputs.Account>) (List<?>) chunk);
            case CONTACTS -> crm.upsertContacts(workspace, (List<Inputs.Contact>) (List<?>) chunk);
            case OPPORTUNITIES -> crm.upsertOpportunities(workspace, (List<Inputs.Opportunity>) (List<?>) chunk, true);
            case STAGE_HISTORY -> crm.addStageChanges(workspace, (List<Inputs.OpportunityStage>) (List<?>) chunk);
            case REVENUE -> crm.upsertRevenue(workspace, (List<Inputs.Revenue>) (List<?>) chunk, true);
            case SPEND -> crm.upsertSpend(workspace, (List<Inputs.Spend>) (List<?>) chunk, true);
            case OFFLINE_TOUCHES -> crm.upsertOfflineTouches(workspace, (List<Inputs.OfflineTouch>) (List<?>) chunk);
            case EXCHANGE_RATES -> crm.importExchangeRates(workspace, (List<Inputs.ExchangeRate>) (List<?>) chunk, true);
        };
        return results.await().atMost(Duration.ofMinutes(5));
    }

    private void keep(List<ImportJob.RowError> errors, ImportJob.RowError error) {
        if (errors.size() < config.maxErrorsKept()) {
            errors.add(error);
        }
    }

    private void fail(String id, String message, long read, long accepted, long rejected, List<ImportJob.RowError> errors) {
        try {
            jobs.finish(id, ImportState.FAILED, message, read, accepted, rejected, errors).await().atMost(Duration.ofMinutes(1));
        } catch (RuntimeException e) {
            Log.warnf("import %s: cannot record its failure: %s", id, e.getMessage());
        }
    }

    /** UTF-8 (a BOM is skipped by the reader); malformed bytes become U+FFFD rather than stopping the import. */
    private static CsvReader reader(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new CsvReader(new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder), 1 << 16));
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            Log.warnf("cannot delete %s: %s", file, e.getMessage());
        }
    }
}
