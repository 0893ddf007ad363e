package io.graft.bridge.capture;

import org.neo4j.internal.kernel.api.exceptions.TransactionFailureException;
import org.neo4j.internal.recordstorage.Command;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.impl.transaction.tracing.TransactionWriteEvent;
import org.neo4j.storageengine.api.StorageCommand;
import org.neo4j.storageengine.api.StorageEngineTransaction;
import org.neo4j.storageengine.api.TransactionApplicationMode;

/**
 * The commit process graft installs: Raft replication, except for the store-initialisation
 * transactions a brand-new store commits while the database is still starting: the internal
 * property-key token transaction for the schema rules' properties, then the one that creates the
 * two token lookup indexes. The local phase ends with the commit that carries the schema rules.
 *
 * <p>Why these transactions are local: {@code Database.postStartupInit} creates the two token
 * lookup indexes on a new store before the database (and the Bolt server) serves anyone, and before
 * any Raft leader can exist. They are the same transactions on every member, so every member gets
 * the same tx ids for them and the same token and schema rule ids, and Raft entries applied
 * afterwards line up (docs/NEO4J-INTERNALS.md §8.1 item 2). Kernel transactions are pooled with the
 * commit process they were built with, so this one object stays installed and decides per commit.
 */
public final class LocalBootstrapCommitProcess implements TransactionCommitProcess {
  private final TransactionCommitProcess local;
  private final TransactionCommitProcess replicated;
  private final WriteGate gate;

  public LocalBootstrapCommitProcess(
      TransactionCommitProcess local, TransactionCommitProcess replicated, WriteGate gate) {
    this.local = local;
    this.replicated = replicated;
    this.gate = gate;
  }

  @Override
  public long commit(
      StorageEngineTransaction batch, TransactionWriteEvent event, TransactionApplicationMode mode)
      throws TransactionFailureException {
    if (!gate.isBootstrapping()) {
      return replicated.commit(batch, event, mode);
    }
    boolean schema = carriesSchemaRule(batch);
    boolean committed = false;
    try {
      long txId = local.commit(batch, event, mode);
      committed = true;
      return txId;
    } finally {
      // Done after the schema rules; a failed store-init commit fails the database start, and
      // nothing else may then commit locally.
      if (schema || !committed) {
        gate.endBootstrap();
      }
    }
  }

  private static boolean carriesSchemaRule(StorageEngineTransaction batch) {
    for (StorageCommand command : batch.commandBatch()) {
      if (command instanceof Command.SchemaRuleCommand) {
        return true;
      }
    }
    return false;
  }
}
