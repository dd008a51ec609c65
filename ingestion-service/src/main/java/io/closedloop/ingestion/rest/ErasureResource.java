package io.closedloop.ingestion.rest;

import io.closedloop.ingestion.segment.Identifier;
import io.closedloop.ingestion.service.ErasureService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the consumers report their part of an erasure job (role {@code service}; docs/feeds.md "Erasure reports"):
 * {@code POST /erasures/{id}/identity} by identity's own token (the person's identifiers and what it removed),
 * {@code POST /erasures/{id}/attribution} by attribution's (what it removed). An operator's token that reads the same feeds
 * may not: a report tombstones and deletes whatever it names.
 */
@Path("/erasures")
public class ErasureResource {

    private final ErasureService erasures;
    private final Caller caller;

    public ErasureResource(ErasureService erasures, Caller caller) {
        this.erasures = erasures;
        this.caller = caller;
    }

    @POST
    @Path("/{id}/identity")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> identity(@PathParam("id") String id, String body) {
        caller.requireAnyRole(Roles.SERVICE);
        caller.requireFeed("ingestion", "identity-facts");
        caller.requireSubject("identity-service");
        JsonObject report = parse(body);
        JsonArray given = report.getJsonArray("identifiers");
        if (given == null) {
            throw new IllegalArgumentException("identifiers: required");
        }
        List<Identifier> identifiers = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            JsonObject o = given.getValue(i) instanceof JsonObject j ? j : new JsonObject();
            identifiers.add(ErasureService.normalize(o.getString("type"), o.getString("value"), "identifiers[" + i + "]"));
        }
        return erasures.acceptIdentity(workspace(report), id, identifiers, removed(report)).map(found -> answer(found, id));
    }

    @POST
    @Path("/{id}/attribution")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> attribution(@PathParam("id") String id, String body) {
        caller.requireAnyRole(Roles.SERVICE);
        caller.requireFeed("ingestion", "erasures");
        caller.requireSubject("attribution-service");
        JsonObject report = parse(body);
        return erasures.acceptAttribution(workspace(report), id, removed(report)).map(found -> answer(found, id));
    }

    private static JsonObject parse(String body) {
        try {
            return new JsonObject(body == null ? "" : body);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("body: not a JSON object");
        }
    }

    private static String workspace(JsonObject report) {
        Object ws = report.getValue("workspace");
        if (!(ws instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("workspace: required");
        }
        return s;
    }

    /** Counts by kind ({"touches": 3}); anything else is refused, so no value can be reported by mistake. */
    private static JsonObject removed(JsonObject report) {
        Object value = report.getValue("removed");
        JsonObject counts = value instanceof JsonObject o ? o : new JsonObject();
        JsonObject out = new JsonObject();
        for (String kind : counts.fieldNames()) {
            if (!kind.matches("[a-zA-Z]{1,40}") || !(counts.getValue(kind) instanceof Number n) || n.longValue() < 0) {
                throw new IllegalArgumentException("removed." + kind + ": a count (a non-negative integer) by a kind name");
            }
            out.put(kind, n.longValue());
        }
        return out;
    }

    /** 204: taken; 410: the workspace has no such job (the consumer may drop its report; a plain 404 is a routing problem). */
    private static Response answer(boolean found, String id) {
        if (!found) {
            throw new WebApplicationException("no erasure '" + id + "' in this workspace", Response.Status.GONE);
        }
        return Response.noContent().build();
    }
}
