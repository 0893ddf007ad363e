package io.graft.plugin;

import io.graft.bridge.apply.DatabaseHandle;
import io.graft.bridge.apply.DatabaseSlot;
import io.graft.bridge.apply.IdAllocationSwitch;
import io.graft.bridge.apply.Durability;
import io.graft.bridge.apply.TxApplier;
import io.graft.bridge.durability.ForcingCheckpointAppender;
import io.graft.bridge.durability.Neo4jLogForces;
import io.graft.bridge.durability.UnforcedLogAppender;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.neo4j.common.DependencyResolver;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.dbms.database.readonly.DatabaseReadOnlyChecker;
import org.neo4j.internal.id.IdGeneratorFactory;
import org.neo4j.io.pagecache.context.CursorContextFactory;
import org.neo4j.kernel.availability.AvailabilityListener;
import org.neo4j.kernel.availability.DatabaseAvailabilityGuard;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.impl.api.CommandCommitListeners;
import org.neo4j.kernel.impl.api.DatabaseTransactionCommitProcess;
import org.neo4j.kernel.impl.api.InternalTransactionCommitProcess;
import org.neo4j.kernel.impl.api.KernelTransactions;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.impl.api.txid.TransactionIdGenerator;
import org.neo4j.kernel.impl.transaction.log.TransactionCommitmentFactory;
import org.neo4j.kernel.impl.transaction.log.TransactionMetadataCache;
import org.neo4j.kernel.impl.transaction.log.checkpoint.CheckPointer;
import org.neo4j.kernel.impl.transaction.log.files.LogFiles;
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
    Neo4jLogForces forces,
    Durability durability,
    IdAllocationSwitch idSwitch,
    TransactionIdStore txIds,
    Consumer<Throwable> panic,
    Supplier<Throwable> panicCause,
    DatabaseAvailabilityGuard availabilityGuard,
    AvailabilityListener[] listener) {

  /**
   * JVM system property for crash tests only ({@code CrashSafetyIT}'s power-loss mode): applies
   * leave Neo4j's log tail in its buffer, so a kill -9 loses it as an OS crash loses an unforced
   * tail, and the member must re-apply it from the Raft log.
   */
  static final String CRASH_TEST_BUFFERED_LOG = "graft.crashtest.bufferedNeo4jLog";

  static Neo4jBinding resolve(Database database, InternalLog log, Neo4jLogForce mode) {
    DependencyResolver deps = database.getDependencyResolver();
    // The resolvable commit process is the original one; the field may already hold ours if
    // start() ran before on this KernelTransactions (idempotent re-install).
    TransactionCommitProcess original = deps.resolveDependency(TransactionCommitProcess.class);
    CursorContextFactory contexts = deps.resolveDependency(CursorContextFactory.class);
    LogFiles logFiles = deps.resolveDependency(LogFiles.class);
    TransactionIdStore txIdStore = deps.resolveDependency(TransactionIdStore.class);
    Neo4jLogForces forces = new Neo4jLogForces(logFiles.getLogFile(),
        () -> txIdStore.getLastCommittedTransaction().consensusIndex());
    DatabaseHealth health = deps.resolveDependency(DatabaseHealth.class);
    TransactionCommitProcess applyThrough = original;
    Durability durability =
        Durability.everyApply(() -> txIdStore.getLastCommittedTransaction().consensusIndex());
    if (mode == Neo4jLogForce.CHECKPOINT) {
      // Before the first unforced apply: every checkpoint from now on forces the log first.
      InternalsAccess.wrapCheckpointAppender(deps.resolveDependency(CheckPointer.class),
          current -> current instanceof ForcingCheckpointAppender f
              ? new ForcingCheckpointAppender(f.delegate(), forces)
              : new ForcingCheckpointAppender(current, forces));
      applyThrough = unforcedCommitProcess(deps, logFiles, health, forces);
      durability = forces;
    }
    TxApplier applier =
        new TxApplier(
            applyThrough,
            deps.resolveDependency(StorageEngine.class),
            deps.resolveDependency(StorageEngineFactory.class).commandReaderFactory(),
            deps.resolveDependency(TransactionCommitmentFactory.class),
            deps.resolveDependency(TransactionIdGenerator.class),
            contexts);
    Consumer<Throwable> panic = cause -> {
      log.error("graft: applying a committed Raft entry failed; panicking the database"
          + " rather than diverging", cause);
      health.panic(cause);
    };
    return new Neo4jBinding(
        deps.resolveDependency(KernelTransactions.class),
        original,
        applier,
        forces,
        durability,
        new IdAllocationSwitch(deps.resolveDependency(IdGeneratorFactory.class), contexts),
        txIdStore,
        panic,
        () -> health.hasNoPanic() ? null : health.causeOfPanic(),
        database.getDatabaseAvailabilityGuard(),
        new AvailabilityListener[1]);
  }

  /**
   * Neo4j's own commit pipeline (the store apply, the commit listeners, the read-only check) over
   * graft's {@link UnforcedLogAppender} instead of Neo4j's forcing appender: what the default
   * commit process does for an EXTERNAL commit, without the force.
   */
  private static TransactionCommitProcess unforcedCommitProcess(
      DependencyResolver deps, LogFiles logFiles, DatabaseHealth health, Neo4jLogForces forces) {
    StorageEngine storageEngine = deps.resolveDependency(StorageEngine.class);
    UnforcedLogAppender appender = new UnforcedLogAppender(logFiles.getLogFile(),
        storageEngine.metadataProvider(), storageEngine.metadataProvider(),
        deps.resolveDependency(TransactionMetadataCache.class), health, forces,
        !Boolean.getBoolean(CRASH_TEST_BUFFERED_LOG));
    boolean preallocate = deps.resolveDependency(Config.class)
        .get(GraphDatabaseInternalSettings.out_of_disk_space_protection);
    return new DatabaseTransactionCommitProcess(
        new InternalTransactionCommitProcess(appender, storageEngine, preallocate,
            deps.resolveDependency(CommandCommitListeners.class), () -> false),
        deps.resolveDependency(DatabaseReadOnlyChecker.class));
  }

  LongSupplier lastCommittedTxId() {
    return txIds::getLastCommittedTransactionId;
  }

  LongSupplier lastConsensusIndex() {
    return () -> txIds.getLastCommittedTransaction().consensusIndex();
  }

  /** What the state machine applies through, for this start. */
  DatabaseHandle handle() {
    return new DatabaseHandle(
        applier, idSwitch, lastCommittedTxId(), lastConsensusIndex(), panic, durability);
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
