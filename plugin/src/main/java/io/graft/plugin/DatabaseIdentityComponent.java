package io.graft.plugin;

import static org.neo4j.dbms.systemgraph.TopologyGraphDbmsModel.DATABASE_LABEL;
import static org.neo4j.dbms.systemgraph.TopologyGraphDbmsModel.DATABASE_NAME_PROPERTY;
import static org.neo4j.dbms.systemgraph.TopologyGraphDbmsModel.DATABASE_UUID_PROPERTY;

import java.util.UUID;
import org.neo4j.dbms.database.SystemGraphComponent;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.logging.InternalLog;

/**
 * A system graph component that runs after Neo4j's own when the system graph is created for the
 * first time, and replaces the random UUID Neo4j's {@code DefaultSystemGraphComponent} just gave
 * the replicated database by {@link DatabaseIdentity}. The database itself is created only after
 * the system graph is initialised, so it starts with the cluster-wide identity on every member.
 *
 * <p>An existing system graph is never changed (a database keeps the identity it was created
 * with); if it differs from the cluster identity the member's element ids differ from the others',
 * which is logged as a warning with the fix.
 */
final class DatabaseIdentityComponent implements SystemGraphComponent {
  static final Name NAME = new Name("graft-database-identity");

  private final String databaseName;
  private final UUID identity;
  private final InternalLog log;

  DatabaseIdentityComponent(String databaseName, UUID identity, InternalLog log) {
    this.databaseName = databaseName;
    this.identity = identity;
    this.log = log;
  }

  @Override
  public Name componentName() {
    return NAME;
  }

  /** Nothing to upgrade, ever: graft keeps no sub-graph of its own. */
  @Override
  public Status detect(Transaction tx) {
    return Status.CURRENT;
  }

  @Override
  public void initializeSystemGraph(GraphDatabaseService system, boolean firstInitialization) {
    try (Transaction tx = system.beginTx()) {
      Node database = tx.findNode(DATABASE_LABEL, DATABASE_NAME_PROPERTY, databaseName);
      if (database == null) {
        log.warn("graft: the system graph has no database '%s' (server.raft.database must be the"
            + " default database, initial.dbms.default_database); its identity is not set",
            databaseName);
        return;
      }
      String current = (String) database.getProperty(DATABASE_UUID_PROPERTY, null);
      if (identity.toString().equals(current)) {
        tx.commit();
        return;
      }
      if (firstInitialization) {
        database.setProperty(DATABASE_UUID_PROPERTY, identity.toString());
        tx.commit();
        log.info("graft: database '%s' created with the cluster-wide identity %s",
            databaseName, identity);
      } else {
        log.warn("graft: database '%s' has identity %s, not the cluster-wide %s: it was created"
            + " before graft was enabled or under another server.raft.cluster_id, so its element"
            + " ids differ from other members'. Start this member on an empty data/ folder to"
            + " join with the cluster identity.", databaseName, current, identity);
      }
    }
  }

  @Override
  public void upgradeToCurrent(GraphDatabaseService system) {
    // detect() is always CURRENT
  }
}
