package io.closedloop.ingestion.rest;

import io.closedloop.plumbing.tenancy.RoleRequiredException;
import io.closedloop.plumbing.tenancy.WorkspaceRequiredException;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The REST endpoints' errors, in one place: the caller's mistakes are 4xx with a message naming the parameter. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return error(Response.Status.BAD_REQUEST, e.getMessage());
    }

    @ServerExceptionMapper
    public Response missingRole(RoleRequiredException e) {
        return error(Response.Status.FORBIDDEN, e.getMessage());
    }

    @ServerExceptionMapper
    public Response missingWorkspace(WorkspaceRequiredException e) {
        return error(Response.Status.FORBIDDEN, e.getMessage());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response r = e.getResponse();
        return error(r.getStatus(), e.getMessage());
    }

    static Response error(Response.Status status, String message) {
        return error(status.getStatusCode(), message);
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new JsonObject().put("error", message).encode()).build();
    }
}
