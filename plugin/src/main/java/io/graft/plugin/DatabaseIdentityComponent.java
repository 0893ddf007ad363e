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
 * the replicated database by the cluster's identity: derived from {@code server.raft.cluster_id}
 * on a founder, learned from the members on a server that joins a running cluster ({@link
 * JoinerIdentity}; a cluster seeded from an existing database keeps that database's identity).
 * The database itself is created only after the system graph is initialised, so it starts with
 * the cluster's identity and hands out the same element ids as every other member.
 *
 * <p>An existing system graph is never changed: a database keeps the identity it was created
 * with (a seeding member's is the cluster's). A member whose identity differs from its peers' is
 * refused by them ({@code DatabaseBridge}).
 */
final class DatabaseIdentityComponent implements SystemGraphComponent {
  static final Name NAME = new Name("graft-database-identity");

  /** The identity for a brand-new system graph; may wait for the cluster (joining servers). */
  interface IdentitySource {
    UUID resolve() throws Exception;
  }

  private final String databaseName;
  private final IdentitySource identity;
  private final InternalLog log;

  DatabaseIdentityComponent(String databaseName, IdentitySource identity, InternalLog log) {
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
  public void initializeSystemGraph(GraphDatabaseService system, boolean firstInitialization)
      throws Exception {
    if (!firstInitialization) {
      return; // an existing database keeps the identity it was created with
    }
    UUID identity = this.identity.resolve();
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
      database.setProperty(DATABASE_UUID_PROPERTY, identity.toString());
      tx.commit();
      log.info("graft: database '%s' created with the cluster's identity %s", databaseName,
          identity);
    }
  }

  @Override
  public void upgradeToCurrent(GraphDatabaseService system) {
    // detect() is always CURRENT
  }
}
