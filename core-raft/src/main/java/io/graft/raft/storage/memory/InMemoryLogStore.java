package io.graft.raft.storage.memory;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LogStore} held in memory, for protocol tests and the simulator. Everything is "durable"
 * at once; {@link #sync()} counts calls. Passes the same contract tests as the segmented store.
 */
public final class InMemoryLogStore implements LogStore {
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  private long snapshotIndex;
  private long snapshotTerm;
  private long syncCount;

  @Override
  public long firstIndex() {
    return snapshotIndex + 1;
  }

  @Override
  public long lastIndex() {
    return snapshotIndex + entries.size();
  }

  @Override
  public long snapshotIndex() {
    return snapshotIndex;
  }

  @Override
  public long snapshotTerm() {
    return snapshotTerm;
  }

  @Override
  public long term(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    return get(index).term();
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    if (fromIndex < firstIndex() || toIndexExclusive > lastIndex() + 1
        || fromIndex > toIndexExclusive) {
      throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndexExclusive
          + ") outside [" + firstIndex() + ", " + (lastIndex() + 1) + ")");
    }
    List<LogEntry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = fromIndex; i < toIndexExclusive; i++) {
      LogEntry e = get(i);
      if (!out.isEmpty() && bytes + e.sizeBytes() > maxBytes) {
        break;
      }
      out.add(e);
      bytes += e.sizeBytes();
    }
    return out;
  }

  @Override
  public void append(List<LogEntry> newEntries) {
    // Validate the whole batch first: a rejected append must leave the log unchanged.
    long expected = lastIndex() + 1;
    long previousTerm = term(lastIndex());
    for (LogEntry e : newEntries) {
      if (e.index() != expected) {
        throw new IllegalArgumentException(
            "append out of order: expected index " + expected + ", got " + e);
      }
      if (e.term() < previousTerm) {
        throw new IllegalArgumentException("append with decreasing term: " + e);
      }
      expected++;
      previousTerm = e.term();
    }
    entries.addAll(newEntries);
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    if (fromIndex <= snapshotIndex) {
      throw new IllegalArgumentException(
          "cannot truncate at " + fromIndex + " <= snapshot index " + snapshotIndex);
    }
    while (lastIndex() >= fromIndex) {
      entries.remove(entries.size() - 1);
    }
  }

  @Override
  public void compactPrefix(long upToIndex, long upToTerm) {
    if (upToIndex <= snapshotIndex) {
      return;
    }
    if (upToIndex >= lastIndex()) {
      entries.clear();
    } else {
      entries.subList(0, (int) (upToIndex - snapshotIndex)).clear();
    }
    snapshotIndex = upToIndex;
    snapshotTerm = upToTerm;
  }

  @Override
  public void sync() {
    syncCount++;
  }

  public long syncCount() {
    return syncCount;
  }

  @Override
  public void close() {}

  private LogEntry get(long index) {
    if (index <= snapshotIndex || index > lastIndex()) {
      throw new IndexOutOfBoundsException(
          "index " + index + " outside [" + firstIndex() + ", " + lastIndex() + "] (snapshot "
              + snapshotIndex + ")");
    }
    return entries.get((int) (index - snapshotIndex - 1));
  }
}
