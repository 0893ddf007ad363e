package io.graft.raft.protocol.log;

import io.graft.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory tail of the log that is not yet durable: entries from {@link #offset()} on. They
 * shadow any stale stable entries at the same indexes until the runtime has truncated and rewritten
 * them (etcd-io/raft log_unstable.go model). Entries before {@link #offsetInProgress()} have been
 * handed to the runtime to persist (a Ready carried them) but are not known durable yet; the rest
 * are still to be handed out.
 */
final class UnstableLog {
  private long offset;
  private long offsetInProgress;
  private final ArrayList<LogEntry> entries = new ArrayList<>();

  UnstableLog(long offset) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  long offsetInProgress() {
    return offsetInProgress;
  }

  /** True if some entries were not handed out for persisting yet. */
  boolean hasNotInProgress() {
    return offsetInProgress < offset + entries.size();
  }

  /** The entries not handed out for persisting yet; afterwards they count as in progress. */
  List<LogEntry> takeNotInProgress() {
    int from = (int) (offsetInProgress - offset);
    List<LogEntry> out = List.copyOf(entries.subList(from, entries.size()));
    offsetInProgress = offset + entries.size();
    return out;
  }

  long offset() {
    return offset;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  long lastIndex() {
    return offset + entries.size() - 1;
  }

  boolean contains(long index) {
    return !entries.isEmpty() && index >= offset && index <= lastIndex();
  }

  LogEntry get(long index) {
    return entries.get((int) (index - offset));
  }

  /**
   * Appends {@code newEntries}, first dropping every unstable entry at or after the first new
   * index. When the first new index is below the offset, the whole tail is replaced and the offset
   * moves down (the new entries then shadow stale stable ones).
   */
  void truncateAndAppend(List<LogEntry> newEntries) {
    long first = newEntries.get(0).index();
    // Anything from the first new index on must be (re)written: not in progress any more.
    offsetInProgress = Math.min(offsetInProgress, first);
    if (first <= offset) {
      offset = first;
      offsetInProgress = first;
      entries.clear();
    } else if (first <= offset + entries.size()) {
      entries.subList((int) (first - offset), entries.size()).clear();
    } else {
      throw new IllegalArgumentException("gap: unstable ends at " + lastIndex() + ", got " + first);
    }
    entries.addAll(newEntries);
  }

  /**
   * Drops entries up to {@code index} once they are durable, if the entry there still has {@code
   * term} (an acknowledgement for entries since replaced is ignored: Log Matching makes (index,
   * term) identify the whole prefix).
   */
  boolean stableTo(long index, long term) {
    if (!contains(index) || get(index).term() != term) {
      return false;
    }
    entries.subList(0, (int) (index - offset + 1)).clear();
    offset = index + 1;
    offsetInProgress = Math.max(offsetInProgress, offset);
    return true;
  }
}
