package io.graft.bridge.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What an online copy ({@link OnlineStoreCopy}) needs from one running Neo4j database while its
 * writes continue: its folders, a forced checkpoint with further checkpoints held off for the
 * duration of the copy (Neo4j's own store-copy protocol), and the transaction-log bytes from that
 * checkpoint up to a chosen end, which Neo4j's recovery replays on the copy. The plugin implements
 * it on Neo4j's services; tests can implement it on plain folders.
 */
public interface OnlineStore {
  String databaseName();

  /** The store files ({@code data/databases/<db>}). */
  Path databaseDirectory();

  /** Neo4j's transaction logs ({@code data/transactions/<db>}). */
  Path transactionLogsDirectory();

  /**
   * Forces a checkpoint and runs {@code copy} with every further checkpoint held off until it
   * returns, so the transaction log from that checkpoint on stays complete. Writes continue.
   */
  <T> T holdingCheckpoint(IoCallable<T> copy) throws IOException;

  /**
   * Inside {@link #holdingCheckpoint}: the log files Neo4j's recovery needs from the held
   * checkpoint up to {@code end} (the append position right after the last transaction the copy
   * includes; later bytes are left out), and the checkpoint file(s) up to that checkpoint.
   */
  List<StoreAccess.LogRange> transactionLogsUpTo(LogEnd end) throws IOException;

  /** A position in the transaction log: file version and byte offset. */
  record LogEnd(long version, long offset) {}

  /** An action that may fail with an I/O error. */
  @FunctionalInterface
  interface IoCallable<T> {
    T call() throws IOException;
  }
}
