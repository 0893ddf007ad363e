package io.graft.it.monitoring;

import java.io.IOException;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.monitoring.DatabaseHealth;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * Test-only: panics the database it is called on through Neo4j's own {@link DatabaseHealth}, the
 * way a failed disk write or a failed Raft apply does in production (graft panics on an apply
 * failure rather than diverge). Shipped to the servers of {@link HealthEndpointsIT} in a jar of
 * its own ({@link TestPluginJar}), never in the graft plugin.
 */
public class PanicProcedure {
  @Context
  public GraphDatabaseAPI db;

  @Procedure(name = "graft_test.panic", mode = Mode.READ)
  @Description("Test only: panic this database with the given reason.")
  public void panic(@Name("reason") String reason) {
    db.getDependencyResolver().resolveDependency(DatabaseHealth.class)
        .panic(new IOException(reason));
  }
}
