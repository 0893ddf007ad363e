package io.graft.plugin.http;

import java.net.URI;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.UriInfo;

/**
 * {@code /graft/metrics} (Prometheus) and {@code /graft/view} (the live cluster view), behind
 * Neo4j's own authentication like every other HTTP endpoint of the server.
 */
@Path("/")
public final class GraftResource {
  private final GraftHttp http;

  public GraftResource(@Context GraftHttp http) {
    this.http = http;
  }

  @GET
  @Path("metrics")
  public Response metrics() {
    return Replies.toResponse(http.metrics());
  }

  @GET
  @Path("view")
  public Response view() {
    return Replies.toResponse(http.view());
  }

  @GET
  public Response root(@Context UriInfo uri) {
    URI view = uri.getBaseUriBuilder().path("view").build();
    return Response.seeOther(view).build();
  }
}
