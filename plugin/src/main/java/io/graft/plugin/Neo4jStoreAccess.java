package io.graft.plugin;

import io.graft.bridge.snapshot.StoreAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.graphdb.Resource;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.impl.transaction.log.CheckpointInfo;
import org.neo4j.kernel.impl.transaction.log.LogPosition;
import org.neo4j.kernel.impl.transaction.log.checkpoint.CheckPointer;
import org.neo4j.kernel.impl.transaction.log.checkpoint.SimpleTriggerInfo;
import org.neo4j.kernel.impl.transaction.log.checkpoint.StoreCopyCheckPointMutex;
import org.neo4j.kernel.impl.transaction.log.files.LogFile;
import org.neo4j.kernel.impl.transaction.log.files.LogFiles;
import org.neo4j.kernel.impl.transaction.log.files.checkpoint.CheckpointFile;
import org.neo4j.logging.NullLog;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * {@link StoreAccess} on Neo4j's own services: the CheckPointer and the StoreCopyCheckPointMutex
 * that Neo4j's store copy uses (a forced checkpoint, then no checkpoint until the copy is done),
 * the database layout, and the {@link Database} lifecycle for stop/start. The {@link Database}
 * object survives a stop/start; its services are resolved again on each call.
 */
final class Neo4jStoreAccess implements StoreAccess {
  private static final long AVAILABLE_WAIT_MILLIS = 120_000;
  private final Database database;
  private final AtomicBoolean restarting;

  Neo4jStoreAccess(Database database, AtomicBoolean restarting) {
    this.database = database;
    this.restarting = restarting;
  }

  @Override
  public String databaseName() {
    return database.getNamedDatabaseId().name();
  }

  @Override
  public UUID databaseId() {
    return database.getNamedDatabaseId().databaseId().uuid();
  }

  @Override
  public long lastCommittedTxId() {
    return database.getDependencyResolver().resolveDependency(TransactionIdStore.class)
        .getLastCommittedTransactionId();
  }

  @Override
  public Path databaseDirectory() {
    return database.getDatabaseLayout().databaseDirectory();
  }

  @Override
  public Path transactionLogsDirectory() {
    return database.getDatabaseLayout().getTransactionLogsDirectory();
  }

  @Override
  public void afterCheckpoint(FileCopy copy) throws IOException {
    // A seeded member's first snapshot is asked for while the database is still starting (its
    // checkpointer is not running yet): wait for it, bounded.
    if (!database.getDatabaseAvailabilityGuard().isAvailable(AVAILABLE_WAIT_MILLIS)) {
      throw new IOException("graft: database '" + databaseName() + "' did not become available"
          + " within " + AVAILABLE_WAIT_MILLIS + " ms; no snapshot taken");
    }
    var deps = database.getDependencyResolver();
    CheckPointer checkPointer = deps.resolveDependency(CheckPointer.class);
    StoreCopyCheckPointMutex mutex = deps.resolveDependency(StoreCopyCheckPointMutex.class);
    try (Resource held = mutex.storeCopy(
        () -> checkPointer.forceCheckPoint(new SimpleTriggerInfo("graft snapshot")))) {
      copy.run();
    }
  }

  /**
   * From Neo4j's {@link LogFiles} after the forced checkpoint (no append can run: the caller is
   * the apply thread and checkpoints are held off). Recovery starts at the latest checkpoint's
   * transaction-log position (the oldest not-visible transaction's, if older), so the log files
   * from that version on are needed; the current one only up to the writer's append position,
   * everything after it being preallocated zeros (Neo4j truncates those itself when it rotates,
   * so earlier versions are already cut). The detached checkpoint file holding that checkpoint
   * is needed up to the position after it (the appender resumes there on start), later ones
   * whole (they hold only a header: rare, at most 1 MiB each).
   */
  @Override
  public List<LogRange> transactionLogsToCopy() throws IOException {
    LogFiles logFiles = database.getDependencyResolver().resolveDependency(LogFiles.class);
    return TransactionLogRanges.upTo(logFiles, () -> {
      LogFile log = logFiles.getLogFile();
      if (log.getTransactionLogWriter() == null) {
        throw new IOException("graft: the transaction log of '" + databaseName()
            + "' is read-only; its append position is unknown");
      }
      return log.getTransactionLogWriter().getCurrentPosition();
    }, "the log's append position");
  }

  @Override
  public void stop() {
    restarting.set(true);
    database.stop();
  }

  @Override
  public void start() {
    try {
      database.start();
    } finally {
      restarting.set(false);
    }
  }
}
