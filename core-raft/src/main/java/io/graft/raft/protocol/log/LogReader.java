package io.graft.raft.protocol.log;

import io.graft.raft.message.LogEntry;
import java.util.List;

/**
 * Read-only view of the durable log (etcd's {@code Storage}). Indexes are 1-based and dense.
 *
 * <p>After compaction the log starts at {@link #firstIndex()}; the entry just before it is still
 * described by {@link #snapshotIndex()} / {@link #snapshotTerm()} so the consistency check of
 * AppendEntries works at the boundary. An empty, never-compacted log has firstIndex 1, lastIndex 0,
 * snapshotIndex 0, snapshotTerm 0.
 *
 * <p>Concurrency: called only from the owner thread of the RaftMachine that holds it.
 */
public interface LogReader {

  /** Index of the first entry still stored; {@code lastIndex() + 1} when empty. */
  long firstIndex();

  /** Index of the last stored entry; {@code firstIndex() - 1} when empty. */
  long lastIndex();

  long snapshotIndex();

  long snapshotTerm();

  /**
   * Term of the entry at {@code index}; for {@code index == snapshotIndex()} the snapshot term; 0 for
   * index 0. Throws {@link IndexOutOfBoundsException} for a compacted or absent index.
   */
  long term(long index);

  /**
   * Entries in {@code [fromIndex, toIndexExclusive)}, stopping early once {@code maxBytes} is reached
   * (always at least one entry if the range is not empty). Throws {@link IndexOutOfBoundsException}
   * if {@code fromIndex < firstIndex()} or {@code toIndexExclusive > lastIndex() + 1}.
   */
  List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes);
}
