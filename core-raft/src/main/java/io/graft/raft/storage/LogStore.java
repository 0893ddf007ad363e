package io.graft.raft.storage;

import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.log.LogReader;
import java.util.List;

/**
 * The durable Raft log. Writes become durable only at {@link #sync()} (one fsync covers everything
 * appended or truncated since the last sync: group commit). A crash loses un-synced writes; on reopen
 * the log is a prefix-consistent state that was at least as long as the last sync.
 *
 * <p>Threading: single writer (the runtime's owner thread); only a started {@link Sync} may run on
 * another thread. Storage failures throw {@link StorageException}, which is fatal for the node.
 */
public interface LogStore extends LogReader, AutoCloseable {

  /**
   * Appends entries; the first must have index {@code lastIndex() + 1} and indexes must be dense.
   * Callers truncate first when overwriting a conflicting suffix.
   */
  void append(List<LogEntry> entries);

  /** Removes every entry with index {@code >= fromIndex}. No-op if {@code fromIndex > lastIndex()}. */
  void truncateSuffix(long fromIndex);

  /**
   * Discards entries up to and including {@code upToIndex} (which must be {@code <= lastIndex()} or be
   * a snapshot index beyond it); afterwards {@code snapshotIndex() == upToIndex} and {@code
   * snapshotTerm() == upToTerm}. If upToIndex is beyond the last index the whole log is dropped
   * (installing a snapshot).
   */
  void compactPrefix(long upToIndex, long upToTerm);

  /** Makes every preceding append/truncate durable (fsync). */
  void sync();

  /**
   * The first half of a {@link #sync()} whose second half may run on another thread: hands every
   * preceding append/truncate to the operating system (no fsync) and returns the rest of the work.
   * Running the returned {@link Sync} makes those writes durable. The owner may keep appending and
   * reading meanwhile; it must not call {@link #truncateSuffix}, {@link #compactPrefix}, {@link
   * #sync} or {@link #close} until every started Sync has finished. A store that cannot split its
   * sync (the default) syncs now and returns {@link Sync#DONE}.
   */
  default Sync startSync() {
    sync();
    return Sync.DONE;
  }

  /** The durable half of a started sync; run it at most once, on any one thread at a time. */
  @FunctionalInterface
  interface Sync {
    /** Nothing left to do. */
    Sync DONE = () -> {};

    /** Forces the writes handed to the operating system when this Sync was started. */
    void force();
  }

  @Override
  void close();
}
