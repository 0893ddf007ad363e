package io.graft.raft.runtime;

import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.storage.LogStore;
import java.util.List;

/**
 * One Ready's persist step ({@link DurableWriter}): what the owner wrote and what the sync side
 * ({@link GroupSync}) must make durable before the Ready's messagesAfterPersist may leave.
 */
final class WriteJob {
  final Ready ready;
  /** Entries written; 0 if none. */
  final int entries;
  /** Index of the last entry written, or 0. */
  final long lastIndex;

  LogStore.Sync sync;
  HardState save;
  /** The save is a commit hint only: done after the job, off the critical path. */
  boolean saveAfterDone;
  private volatile boolean done;
  private volatile long doneNanos;

  WriteJob(Ready ready) {
    this.ready = ready;
    List<LogEntry> written = ready.entriesToPersist();
    this.entries = written.size();
    this.lastIndex = written.isEmpty() ? 0 : written.get(written.size() - 1).index();
  }

  boolean done() {
    return done;
  }

  /** When the job became durable (the writer's clock). */
  long doneNanos() {
    return doneNanos;
  }

  void markDone(long nanos) {
    doneNanos = nanos;
    done = true;
  }
}
