package io.closedloop.identity.rest;

import io.closedloop.identity.feed.FeedRelay;
import io.closedloop.plumbing.feed.FeedCursor;
import io.closedloop.plumbing.feed.FeedPartition;
import io.closedloop.plumbing.feed.FeedReader;
import io.closedloop.plumbing.feed.FeedWakeups;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.RoleRequiredException;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The identity service's change feeds (docs/feeds.md): {@code memberships}. Role {@code service}. One instance: its wakeups
 * listen on one connection.
 */
@Path("/feeds")
@Singleton
public class FeedResource {

    private final Caller caller;
    private final FeedWakeups wakeups;

    public FeedResource(Vertx vertx, Pool pool, Caller caller) {
        this.caller = caller;
        this.wakeups = new FeedWakeups(vertx, pool);
    }

    @GET
    @Path("/{stream}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> read(@PathParam("stream") String stream, @QueryParam("after") String after,
                              @QueryParam("limit") String limit, @QueryParam("partition") String partition,
                              @QueryParam("wait") String wait) {
        try {
            caller.requireAnyRole(Roles.SERVICE);
        } catch (RoleRequiredException e) {
            return Uni.createFrom().item(error(Response.Status.FORBIDDEN, e.getMessage()));
        }
        if (!stream.equals("memberships")) {
            throw new NotFoundException("no feed " + stream);
        }
        try {
            caller.requireFeed("identity", stream);
        } catch (RoleRequiredException e) {
            return Uni.createFrom().item(error(Response.Status.FORBIDDEN, e.getMessage()));
        }
        FeedCursor cursor;
        int n;
        try {
            cursor = FeedCursor.parse(after);
            n = parseLimit(limit);
            return wakeups.readJson(FeedRelay.MEMBERSHIPS, stream, FeedPartition.parse(partition), cursor, n, FeedWakeups.parseWait(wait))
                    .map(page -> Response.ok(page).build());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(error(Response.Status.BAD_REQUEST, e.getMessage()));
        }
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 1000;
        }
        int n;
        try {
            n = Integer.parseInt(limit.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit: not a number: '" + limit + "'");
        }
        if (n < 1 || n > FeedReader.MAX_LIMIT) {
            throw new IllegalArgumentException("limit: must be 1 to " + FeedReader.MAX_LIMIT + ", was " + n);
        }
        return n;
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new JsonObject().put("error", message).encode()).build();
    }
}
