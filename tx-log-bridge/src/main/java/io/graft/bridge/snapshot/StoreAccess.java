package io.graft.bridge.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What a store-copy snapshot needs from the one Neo4j database graft replicates. The plugin
 * implements it on Neo4j's own services (CheckPointer, StoreCopyCheckPointMutex, the database
 * lifecycle); tests can implement it on plain folders.
 */
public interface StoreAccess {
  String databaseName();

  /** The database's identity (the UUID embedded in element ids). */
  UUID databaseId();

  long lastCommittedTxId();

  /** The store files ({@code data/databases/<db>}). */
  Path databaseDirectory();

  /** Neo4j's transaction logs ({@code data/transactions/<db>}). */
  Path transactionLogsDirectory();

  /**
   * Runs {@code copy} after a forced checkpoint, with further checkpoints held off until it
   * returns: the store files on disk are the checkpointed state plus whatever transactions
   * committed since (all in the log after the checkpoint, which log pruning keeps meanwhile).
   */
  void afterCheckpoint(FileCopy copy) throws IOException;

  /**
   * Called inside {@link #afterCheckpoint}, between two applies (nothing is being appended) and
   * with Neo4j's log forced: the transaction-log files Neo4j's recovery needs on top of the
   * checkpointed store files, each with the number of its bytes that were written.
   * That is the log file holding the forced checkpoint's position and every later one, the
   * current one up to its append position (not its preallocated zeros), and the checkpoint
   * file(s) up to the latest checkpoint. Files older than the checkpoint hold only transactions
   * the store files already contain.
   */
  List<LogRange> transactionLogsToCopy() throws IOException;

  /** The first {@code length} bytes of {@code file} (inside the transaction-logs directory). */
  record LogRange(Path file, long length) {}

  /** Stops the database through Neo4j's own lifecycle (its files are closed afterwards). */
  void stop() throws Exception;

  /** Starts it again through Neo4j's lifecycle (recovery, then graft's extension re-attaches). */
  void start() throws Exception;

  /** A copy that may fail with an I/O error. */
  @FunctionalInterface
  interface FileCopy {
    void run() throws IOException;
  }
}
