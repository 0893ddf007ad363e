package io.graft.plugin;

import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.extension.ExtensionFactory;
import org.neo4j.kernel.extension.ExtensionType;
import org.neo4j.kernel.extension.context.ExtensionContext;
import org.neo4j.kernel.lifecycle.Lifecycle;
import org.neo4j.kernel.lifecycle.LifecycleAdapter;

/**
 * DATABASE extension: one instance per database, {@code system} included. It acts only for {@code
 * server.raft.database}. Its {@code start()} runs after recovery and before the first kernel
 * transaction (docs/NEO4J-INTERNALS.md §2.3 A), which is where graft swaps the commit process and
 * the write guard; it is redone on every start because each start builds new KernelTransactions.
 * Not a {@code @RecoveryExtension}: recovery replays Neo4j's own log without graft.
 */
public final class RaftDatabaseExtensionFactory
    extends ExtensionFactory<RaftDatabaseExtensionFactory.Dependencies> {

  /** Resolved lazily by return type; {@link Wiring} comes from the global extension. */
  public interface Dependencies {
    Database database();

    Wiring wiring();
  }

  public RaftDatabaseExtensionFactory() {
    super(ExtensionType.DATABASE, "graft-raft-database");
  }

  @Override
  public Lifecycle newInstance(ExtensionContext context, Dependencies deps) {
    return new LifecycleAdapter() {
      private boolean active;
      /** The recovery setting to restore after this start's recovery, or null. */
      private Boolean relaxed;

      /** Runs on every start of the database, before Neo4j reads and recovers its log. */
      @Override
      public void init() throws Exception {
        Database database = deps.database();
        Wiring wiring = deps.wiring();
        if (wiring.replicates(database.getNamedDatabaseId().name())) {
          relaxed = wiring.beforeRecovery(database);
        }
      }

      @Override
      public void start() throws Exception {
        Database database = deps.database();
        Wiring wiring = deps.wiring();
        restoreRecoverySetting(database, wiring);
        active = wiring.replicates(database.getNamedDatabaseId().name());
        if (active) {
          wiring.startDatabase(database);
        }
      }

      @Override
      public void shutdown() {
        // A start whose recovery failed never reached start(): restore the setting here.
        restoreRecoverySetting(deps.database(), deps.wiring());
      }

      private void restoreRecoverySetting(Database database, Wiring wiring) {
        if (relaxed != null) {
          wiring.afterRecovery(database, relaxed);
          relaxed = null;
        }
      }

      @Override
      public void stop() {
        if (active) {
          deps.wiring().stopDatabase();
          active = false;
        }
      }
    };
  }
}
