package io.graft.plugin;

import io.graft.bridge.apply.DatabaseHandle;
import io.graft.bridge.apply.DatabaseSlot;
import io.graft.bridge.apply.IdAllocationSwitch;
import io.graft.bridge.apply.TxApplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.neo4j.common.DependencyResolver;
import org.neo4j.internal.id.IdGeneratorFactory;
import org.neo4j.io.pagecache.context.CursorContextFactory;
import org.neo4j.kernel.availability.AvailabilityListener;
import org.neo4j.kernel.availability.DatabaseAvailabilityGuard;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.impl.api.KernelTransactions;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.impl.api.txid.TransactionIdGenerator;
import org.neo4j.kernel.impl.transaction.log.TransactionCommitmentFactory;
import org.neo4j.logging.InternalLog;
import org.neo4j.monitoring.DatabaseHealth;
import org.neo4j.storageengine.api.StorageEngine;
import org.neo4j.storageengine.api.StorageEngineFactory;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * The Neo4j services of ONE start of the replicated database (each start builds new ones), as the
 * state machine and the commit-process swap need them.
 */
record Neo4jBinding(
    KernelTransactions kernelTransactions,
    TransactionCommitProcess original,
    TxApplier applier,
    IdAllocationSwitch idSwitch,
    TransactionIdStore txIds,
    Consumer<Throwable> panic,
    Supplier<Throwable> panicCause,
    DatabaseAvailabilityGuard availabilityGuard,
    AvailabilityListener[] listener) {

  static Neo4jBinding resolve(Database database, InternalLog log) {
    DependencyResolver deps = database.getDependencyResolver();
    // The resolvable commit process is the original one; the field may already hold ours if
    // start() ran before on this KernelTransactions (idempotent re-install).
    TransactionCommitProcess original = deps.resolveDependency(TransactionCommitProcess.class);
    CursorContextFactory contexts = deps.resolveDependency(CursorContextFactory.class);
    TxApplier applier =
        new TxApplier(
            original,
            deps.resolveDependency(StorageEngine.class),
            deps.resolveDependency(StorageEngineFactory.class).commandReaderFactory(),
            deps.resolveDependency(TransactionCommitmentFactory.class),
            deps.resolveDependency(TransactionIdGenerator.class),
            contexts);
    DatabaseHealth health = deps.resolveDependency(DatabaseHealth.class);
    Consumer<Throwable> panic = cause -> {
      log.error("graft: applying a committed Raft entry failed; panicking the database"
          + " rather than diverging", cause);
      health.panic(cause);
    };
    return new Neo4jBinding(
        deps.resolveDependency(KernelTransactions.class),
        original,
        applier,
        new IdAllocationSwitch(deps.resolveDependency(IdGeneratorFactory.class), contexts),
        deps.resolveDependency(TransactionIdStore.class),
        panic,
        () -> health.hasNoPanic() ? null : health.causeOfPanic(),
        database.getDatabaseAvailabilityGuard(),
        new AvailabilityListener[1]);
  }

  LongSupplier lastCommittedTxId() {
    return txIds::getLastCommittedTransactionId;
  }

  LongSupplier lastConsensusIndex() {
    return () -> txIds.getLastCommittedTransaction().consensusIndex();
  }

  /** What the state machine applies through, for this start. */
  DatabaseHandle handle() {
    return new DatabaseHandle(applier, idSwitch, lastCommittedTxId(), lastConsensusIndex(), panic);
  }

  /** Applies wait until the database (and its transaction log) is fully started. */
  void listenTo(DatabaseSlot slot) {
    AvailabilityListener l = new AvailabilityListener() {
      @Override
      public void available() {
        slot.databaseAvailable(true);
      }

      @Override
      public void unavailable() {
        slot.databaseAvailable(false);
      }
    };
    listener[0] = l;
    availabilityGuard.addListener(l);
    if (availabilityGuard.isAvailable()) {
      slot.databaseAvailable(true);
    }
  }

  void stopListening(DatabaseSlot slot) {
    if (listener[0] != null) {
      availabilityGuard.removeListener(listener[0]);
      listener[0] = null;
    }
    slot.databaseAvailable(false);
  }
}
