package io.closedloop.plumbing.graphql;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

/**
 * A subgraph's data version, for the gateway's answer cache (issue 18): PostgreSQL's current snapshot of the service's
 * database ({@code xmin:xmax:running}), which changes whenever a transaction that writes begins or ends, and never
 * otherwise (reads take no transaction id). So an answer computed after the version was read is still true while the
 * version is unchanged, an erasure or a late touch included. It is the whole database's, not one workspace's: a write in
 * any workspace retires every cached answer of this subgraph (never a stale one).
 * <ul>
 * <li>{@code POST /graphql} with the request header {@value #HEADER}: the version is read before the operation runs and
 * answered in the same response header;</li>
 * <li>{@code GET /graphql/data-version}: the version now, as text (the gateway's check before it serves a kept answer).</li>
 * </ul>
 * Only services with a database (a {@link Pool}) offer it.
 */
@ApplicationScoped
public class DataVersion {

    public static final String HEADER = "ClosedLoop-Data-Version";
    private static final String SNAPSHOT = "select pg_current_snapshot()::text";

    private final Instance<Pool> pool;

    public DataVersion(Instance<Pool> pool) {
        this.pool = pool;
    }

    void routes(@Observes Router router) {
        if (!pool.isResolvable()) {
            return;
        }
        router.post("/graphql").order(GraphQlOverHttp.ORDER + 3).handler(this::beforeOperation);
        router.get("/graphql/data-version").handler(ctx -> read(ctx, version -> ctx.response()
                .putHeader("Content-Type", "text/plain").putHeader("Cache-Control", "no-store").end(version)));
    }

    private void beforeOperation(RoutingContext ctx) {
        if (ctx.request().getHeader(HEADER) == null) {
            ctx.next();
            return;
        }
        read(ctx, version -> {
            ctx.response().putHeader(HEADER, version);
            ctx.next();
        });
    }

    private void read(RoutingContext ctx, java.util.function.Consumer<String> then) {
        pool.get().query(SNAPSHOT).execute().subscribe().with(rows -> {
            Row row = rows.iterator().next();
            then.accept(row.getString(0));
        }, ctx::fail);
    }
}
