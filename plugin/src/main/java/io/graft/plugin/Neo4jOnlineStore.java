package io.graft.plugin;

import io.graft.bridge.snapshot.OnlineStore;
import io.graft.bridge.snapshot.StoreAccess.LogRange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
import org.neo4j.storageengine.api.ClosedTransactionMetadata;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * {@link OnlineStore} on a running Neo4j database (the replicated one, or {@code system}):
 * Neo4j's CheckPointer and StoreCopyCheckPointMutex (a forced checkpoint, then none until the
 * copy is done: what Neo4j's own store copy does), and its LogFiles for the bytes recovery needs.
 */
final class Neo4jOnlineStore implements OnlineStore {
  private final Database database;

  Neo4jOnlineStore(Database database) {
    this.database = database;
  }

  @Override
  public String databaseName() {
    return database.getNamedDatabaseId().name();
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
  public <T> T holdingCheckpoint(IoCallable<T> copy) throws IOException {
    var deps = database.getDependencyResolver();
    CheckPointer checkPointer = deps.resolveDependency(CheckPointer.class);
    StoreCopyCheckPointMutex mutex = deps.resolveDependency(StoreCopyCheckPointMutex.class);
    try (Resource held = mutex.storeCopy(
        () -> checkPointer.forceCheckPoint(new SimpleTriggerInfo("graft backup")))) {
      return copy.call();
    }
  }

  /** Where the transaction writer stands now; valid as a boundary only between two appends. */
  LogEnd appendPosition() throws IOException {
    LogFile log = database.getDependencyResolver().resolveDependency(LogFiles.class).getLogFile();
    if (log.getTransactionLogWriter() == null) {
      throw new IOException("graft: the transaction log of '" + databaseName()
          + "' is read-only; its append position is unknown");
    }
    LogPosition p = log.getTransactionLogWriter().getCurrentPosition();
    return new LogEnd(p.getLogVersion(), p.getByteOffset());
  }

  /**
   * A boundary for a database without graft's apply lock (system): the end of the last closed
   * transaction at a moment when no later one had committed, so every transaction whose effects
   * the copied store files can hold is included. Waits (bounded) for a quiet moment.
   */
  LogEnd quietBoundary() throws IOException {
    TransactionIdStore ids =
        database.getDependencyResolver().resolveDependency(TransactionIdStore.class);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      ClosedTransactionMetadata closed = ids.getLastClosedTransaction();
      if (ids.getLastCommittedTransactionId() == closed.transactionId().id()) {
        LogPosition p = closed.logPosition();
        return new LogEnd(p.getLogVersion(), p.getByteOffset());
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("graft: database '" + databaseName() + "' had a transaction in"
            + " flight for 30 s; no consistent point to copy up to");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
    }
  }

  /**
   * The log files from the held checkpoint (or the oldest transaction not yet visible, if older)
   * to {@code end}: earlier versions whole (a rotated file is cut at its written end), {@code
   * end}'s version up to its offset; the detached checkpoint file up to the position after that
   * checkpoint (the appender resumes there) and any later one whole.
   */
  @Override
  public List<LogRange> transactionLogsUpTo(LogEnd end) throws IOException {
    return TransactionLogRanges.upTo(
        database.getDependencyResolver().resolveDependency(LogFiles.class),
        () -> new LogPosition(end.version(), end.offset()), "the boundary");
  }
}
