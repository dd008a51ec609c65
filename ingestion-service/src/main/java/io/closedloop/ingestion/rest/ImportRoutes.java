package io.closedloop.ingestion.rest;

import io.closedloop.ingestion.ImportJob;
import io.closedloop.ingestion.csv.ImportKind;
import io.closedloop.ingestion.csv.MappingException;
import io.closedloop.ingestion.service.ImportService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.quarkus.logging.Log;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * {@code POST /imports/{kind}?mapping=salesforce|hubspot|{json}} with a {@code text/csv} body (role
 * {@code ingest}): the body is streamed to a spool file (never held in memory, with back-pressure),
 * then the job starts and its id comes back at once (202); progress through GraphQL
 * {@code importJob(id)}. A Vert.x route placed after authentication and before the server's
 * body-size check, so uploads of any size (up to {@code closedloop.ingestion.imports.max-upload-bytes}) pass.
 */
@ApplicationScoped
public class ImportRoutes {

    /** After the security handlers (-300..-100), before the body-size limit (-2). */
    static final int ORDER = -50;
    private static final Set<String> CSV_TYPES = Set.of("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel",
            "text/comma-separated-values");

    private final ImportService imports;
    private final Vertx vertx;

    public ImportRoutes(ImportService imports, Vertx vertx) {
        this.imports = imports;
        this.vertx = vertx;
    }

    void routes(@Observes Router router) {
        router.post("/imports/:kind").order(ORDER).handler(this::upload);
    }

    private void upload(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        SecurityIdentity identity = ctx.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        if (identity == null || identity.isAnonymous()) {
            respond(ctx, 401, "a bearer token with the role ingest is needed");
            return;
        }
        if (!identity.hasRole(Roles.INGEST)) {
            respond(ctx, 403, "forbidden: importing needs the role ingest; the token has " + identity.getRoles());
            return;
        }
        String workspace = identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getClaim(Caller.WORKSPACE_CLAIM) != null
                ? jwt.getClaim(Caller.WORKSPACE_CLAIM).toString().replace("\"", "") : null;
        if (workspace == null || workspace.isBlank()) {
            respond(ctx, 403, "the token carries no 'workspace' claim");
            return;
        }
        ImportKind kind = ImportKind.of(ctx.pathParam("kind"));
        if (kind == null) {
            respond(ctx, 404, "no import kind '" + ctx.pathParam("kind") + "'; kinds are " + ImportKind.paths());
            return;
        }
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        String base = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!CSV_TYPES.contains(base)) {
            respond(ctx, 415, "Content-Type: send the file as text/csv (UTF-8, a header row first)");
            return;
        }
        String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            respond(ctx, 415, "Content-Encoding: send the file uncompressed");
            return;
        }
        String mapping = request.getParam("mapping");
        long max = imports.maxUploadBytes();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            if (length != null && Long.parseLong(length.strip()) > max) {
                respond(ctx, 413, "the file is larger than " + max + " bytes");
                return;
            }
        } catch (NumberFormatException e) {
            respond(ctx, 400, "Content-Length: not a number");
            return;
        }
        // Admitted before anything is spooled: a workspace at its limit, or a full queue, costs no disk.
        ImportService.Admission admission = imports.admit(workspace);
        if (admission == null) {
            ctx.response().putHeader("Retry-After", "30");
            respond(ctx, 429, "too many imports: " + imports.admissionLimits() + "; retry when one has finished");
            return;
        }
        request.pause();
        Path file;
        try {
            Path dir = imports.spoolDirectory();
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "closedloop-import-", ".csv");
        } catch (Exception e) {
            admission.release();
            Log.warnf("cannot create an import spool file: %s", e.getMessage());
            respond(ctx, 503, "cannot store the upload right now; retry");
            return;
        }
        vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true).setTruncateExisting(true)).onComplete(opened -> {
            if (opened.failed()) {
                admission.release();
                respond(ctx, 503, "cannot store the upload right now; retry");
                return;
            }
            spool(ctx, opened.result(), file, max, admission, () -> imports.start(workspace, kind, mapping, file, admission).subscribe().with(
                    job -> respondJob(ctx, job),
                    failure -> {
                        admission.release();
                        if (failure instanceof MappingException e) {
                            respond(ctx, 400, e.getMessage());
                        } else {
                            Log.warnf("import not started: %s", failure.toString());
                            respond(ctx, 503, "cannot start the import right now; retry");
                        }
                    }));
        });
    }

    /** Copies the request body into the file with back-pressure and a size limit, then runs {@code done}. */
    private void spool(RoutingContext ctx, AsyncFile out, Path file, long max, ImportService.Admission admission, Runnable done) {
        HttpServerRequest request = ctx.request();
        long[] written = {0};
        boolean[] failed = {false};
        request.handler(chunk -> {
            if (failed[0]) {
                return;
            }
            written[0] += chunk.length();
            if (written[0] > max) {
                failed[0] = true;
                out.close();
                deleteQuietly(file);
                admission.release();
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                respond(ctx, 413, "the file is larger than " + max + " bytes");
                return;
            }
            out.write(chunk);
            if (out.writeQueueFull()) {
                request.pause();
                out.drainHandler(v -> request.resume());
            }
        });
        request.exceptionHandler(e -> {
            failed[0] = true;
            out.close();
            deleteQuietly(file);
            admission.release();
        });
        request.endHandler(v -> {
            if (failed[0]) {
                return;
            }
            out.close().onComplete(closed -> {
                if (closed.failed()) {
                    deleteQuietly(file);
                    admission.release();
                    respond(ctx, 503, "cannot store the upload right now; retry");
                } else {
                    done.run();
                }
            });
        });
        request.resume();
    }

    private static void respondJob(RoutingContext ctx, ImportJob job) {
        // kind and mapping as the request named them (the path's slug, the mapping's lower-case name), state as GraphQL does.
        JsonObject body = new JsonObject().put("id", job.id()).put("kind", job.kind().path()).put("mapping", job.mapping().stored())
                .put("state", job.state().name())
                .put("progress", "query { importJob(id: \"" + job.id() + "\") { state rowsRead rowsAccepted rowsRejected"
                        + " errors { totalCount edges { node { row id field error } } pageInfo { hasNextPage endCursor } } } }");
        ctx.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }

    private static void respond(RoutingContext ctx, int status, String error) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("error", error).encode());
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (Exception e) {
            // a temp file left behind; harmless
        }
    }
}
