package io.closedloop.ingestion.rest;

import io.closedloop.ingestion.feed.FeedStreams;
import io.closedloop.plumbing.feed.FeedCursor;
import io.closedloop.plumbing.feed.FeedPartition;
import io.closedloop.plumbing.feed.FeedReader;
import io.closedloop.plumbing.feed.FeedWakeups;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
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

import java.util.TreeSet;

/**
 * {@code GET /feeds/{stream}?after=&limit=&partition=&wait=} (role {@code service}): ingestion's change feeds, protocol in
 * docs/feeds.md. One instance: its wakeups listen on one connection.
 */
@Path("/feeds")
@Singleton
public class FeedResource {

    private static final int DEFAULT_LIMIT = 1000;

    private final Caller caller;
    private final FeedWakeups wakeups;

    public FeedResource(Vertx vertx, Pool pool, Caller caller) {
        this.caller = caller;
        this.wakeups = new FeedWakeups(vertx, pool);
    }

    @GET
    @Path("/{stream}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Buffer> page(@PathParam("stream") String stream, @QueryParam("after") String after,
                            @QueryParam("limit") String limit, @QueryParam("partition") String partition,
                            @QueryParam("wait") String wait) {
        caller.requireAnyRole(Roles.SERVICE);
        FeedReader reader = FeedStreams.reader(stream);
        if (reader == null) {
            throw new NotFoundException("no stream '" + stream + "'; ingestion's streams are " + new TreeSet<>(FeedStreams.names()));
        }
        caller.requireFeed("ingestion", stream);
        FeedCursor cursor = FeedCursor.parse(after);
        int n = parseLimit(limit);
        return wakeups.readJson(reader, stream, FeedPartition.parse(partition), cursor, n, FeedWakeups.parseWait(wait));
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.strip());
            if (n >= 1 && n <= FeedReader.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("limit: must be an integer from 1 to " + FeedReader.MAX_LIMIT + ", was '" + limit + "'");
    }
}
