package io.graft.plugin.http;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.Response;

/**
 * The health checks as JAX-RS resources under Neo4j's {@code /db} mount. Reached only through
 * Neo4j's authorization filter: with server.raft.health_auth_enabled=true (then credentials are
 * needed, as in Neo4j Enterprise's default), or never when {@link HealthProbeFilter} answers
 * first. Mounting it also guarantees that the {@code /db} context exists when Neo4j's own
 * transactional endpoints are switched off.
 */
@Path("/{databaseName}/cluster")
public final class ClusterHealthResource {
  private final GraftHttp http;

  public ClusterHealthResource(@Context GraftHttp http) {
    this.http = http;
  }

  @GET
  @Path("/{check}")
  public Response check(@PathParam("databaseName") String database,
      @PathParam("check") String check) {
    return Replies.toResponse(http.health(database, check));
  }
}
