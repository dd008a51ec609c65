package io.closedloop.ingestion.rest;

import io.closedloop.ingestion.feed.FeedStreams;
import io.closedloop.plumbing.feed.FeedCursor;
import io.closedloop.plumbing.feed.FeedPartition;
import io.closedloop.plumbing.feed.FeedReader;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.TreeSet;

/** {@code GET /feeds/{stream}?after=&limit=} (role {@code service}): ingestion's change feeds, protocol in docs/feeds.md. */
@Path("/feeds")
public class FeedResource {

    private static final int DEFAULT_LIMIT = 1000;

    private final Pool pool;
    private final Caller caller;

    public FeedResource(Pool pool, Caller caller) {
        this.pool = pool;
        this.caller = caller;
    }

    @GET
    @Path("/{stream}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Buffer> page(@PathParam("stream") String stream, @QueryParam("after") String after,
                            @QueryParam("limit") String limit, @QueryParam("partition") String partition) {
        caller.requireAnyRole(Roles.SERVICE);
        FeedReader reader = FeedStreams.reader(stream);
        if (reader == null) {
            throw new NotFoundException("no stream '" + stream + "'; ingestion's streams are " + new TreeSet<>(FeedStreams.names()));
        }
        caller.requireFeed("ingestion", stream);
        FeedCursor cursor = FeedCursor.parse(after);
        int n = parseLimit(limit);
        return reader.readJson(pool, FeedPartition.parse(partition), cursor, n);
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
