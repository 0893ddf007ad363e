package io.graft.raft.runtime;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.StorageException;
import java.util.List;

/** Delegates to another store; once armed, every {@link #sync()} fails like a broken disk. */
final class FailingLogStore implements LogStore {
  private final LogStore delegate;
  private volatile boolean failSync;

  FailingLogStore(LogStore delegate) {
    this.delegate = delegate;
  }

  void failSyncs() {
    failSync = true;
  }

  @Override
  public long firstIndex() {
    return delegate.firstIndex();
  }

  @Override
  public long lastIndex() {
    return delegate.lastIndex();
  }

  @Override
  public long snapshotIndex() {
    return delegate.snapshotIndex();
  }

  @Override
  public long snapshotTerm() {
    return delegate.snapshotTerm();
  }

  @Override
  public long term(long index) {
    return delegate.term(index);
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    return delegate.entries(fromIndex, toIndexExclusive, maxBytes);
  }

  @Override
  public void append(List<LogEntry> entries) {
    delegate.append(entries);
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    delegate.truncateSuffix(fromIndex);
  }

  @Override
  public void compactPrefix(long upToIndex, long upToTerm) {
    delegate.compactPrefix(upToIndex, upToTerm);
  }

  @Override
  public void sync() {
    if (failSync) {
      throw new StorageException("fsync failed: EIO (injected)");
    }
    delegate.sync();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
