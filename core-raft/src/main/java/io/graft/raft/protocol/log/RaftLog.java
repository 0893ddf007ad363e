package io.graft.raft.protocol.log;

import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.Invariants;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol's view of the log: the durable {@link LogReader} followed by the in-memory unstable
 * tail, plus the commitIndex (Figure 2). Indexes below the unstable offset are read from stable
 * storage, the rest from the tail.
 */
public final class RaftLog {
  private final LogReader stable;
  private UnstableLog unstable;
  private long commitIndex;

  public RaftLog(LogReader stable, long commitIndex) {
    this.stable = stable;
    this.unstable = new UnstableLog(stable.lastIndex() + 1);
    this.commitIndex = Math.max(commitIndex, stable.snapshotIndex());
    Invariants.check(
        this.commitIndex <= stable.lastIndex(),
        "persisted commitIndex %d > durable lastIndex %d",
        this.commitIndex,
        stable.lastIndex());
  }

  public long firstIndex() {
    return stable.firstIndex();
  }

  public long snapshotIndex() {
    return stable.snapshotIndex();
  }

  public long lastIndex() {
    return unstable.isEmpty() ? stable.lastIndex() : unstable.lastIndex();
  }

  public long lastTerm() {
    return term(lastIndex());
  }

  public long commitIndex() {
    return commitIndex;
  }

  /**
   * Highest index known durable and still part of this log (the unstable tail shadows the rest).
   */
  public long persistedIndex() {
    return unstable.isEmpty() ? stable.lastIndex() : unstable.offset() - 1;
  }

  /** True if some unstable entries were not yet handed out for persisting. */
  public boolean hasUnstableNotInProgress() {
    return unstable.hasNotInProgress();
  }

  /**
   * The unstable entries not handed out for persisting yet; from now on they are in progress
   * (written by the runtime, durable once it acknowledges them with {@link #stableTo}).
   */
  public List<LogEntry> takeUnstableToPersist() {
    return unstable.takeNotInProgress();
  }

  /** Term at {@code index}; 0 for index 0, the snapshot term at the snapshot index. */
  public long term(long index) {
    if (unstable.contains(index)) {
      return unstable.get(index).term();
    }
    if (index == 0) {
      return 0;
    }
    if (index > lastIndex() || index < stable.snapshotIndex()) {
      throw new IndexOutOfBoundsException(
          "no term for index "
              + index
              + " in ["
              + stable.snapshotIndex()
              + ", "
              + lastIndex()
              + "]");
    }
    return stable.term(index);
  }

  /** True if the log holds an entry at {@code index} with {@code term} (§5.3 consistency check). */
  public boolean matchTerm(long index, long term) {
    if (index < stable.snapshotIndex() || index > lastIndex()) {
      return false;
    }
    return term(index) == term;
  }

  /** §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up-to-date as this one? */
  public boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
    long myLastTerm = lastTerm();
    return otherLastTerm > myLastTerm
        || (otherLastTerm == myLastTerm && otherLastIndex >= lastIndex());
  }

  /**
   * Entries in {@code [fromIndex, toIndexExclusive)}, stopping once {@code maxBytes} would be
   * exceeded (at least one entry when the range is not empty).
   */
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    Invariants.check(
        fromIndex >= firstIndex() && toIndexExclusive <= lastIndex() + 1,
        "entries [%d, %d) outside [%d, %d]",
        fromIndex,
        toIndexExclusive,
        firstIndex(),
        lastIndex());
    List<LogEntry> out = new ArrayList<>();
    long stableEnd = Math.min(toIndexExclusive, unstable.offset());
    if (fromIndex < stableEnd) {
      out.addAll(stable.entries(fromIndex, stableEnd, maxBytes));
      if (out.size() < stableEnd - fromIndex) {
        return out; // the byte budget stopped the stable read
      }
    }
    long bytes = 0;
    for (LogEntry entry : out) {
      bytes += entry.sizeBytes();
    }
    for (long i = Math.max(fromIndex, unstable.offset()); i < toIndexExclusive; i++) {
      LogEntry entry = unstable.get(i);
      if (!out.isEmpty() && bytes + entry.sizeBytes() > maxBytes) {
        break;
      }
      out.add(entry);
      bytes += entry.sizeBytes();
    }
    return out;
  }

  /** Leader append (§5.3): entries continue the log densely and never truncate it. */
  public void append(List<LogEntry> newEntries) {
    Invariants.check(
        newEntries.get(0).index() == lastIndex() + 1,
        "leader append at %d, lastIndex %d",
        newEntries.get(0).index(),
        lastIndex());
    unstable.truncateAndAppend(newEntries);
  }

  /**
   * Follower append after a conflict (§5.3): deletes the existing entry at the first new index and
   * all that follow it, then appends. A committed entry is never truncated (§5.4.2).
   */
  public void truncateAndAppend(List<LogEntry> newEntries) {
    long first = newEntries.get(0).index();
    Invariants.check(
        first > commitIndex, "truncating committed entry %d (commit %d)", first, commitIndex);
    Invariants.check(
        first <= lastIndex() + 1, "gap: append at %d, lastIndex %d", first, lastIndex());
    unstable.truncateAndAppend(newEntries);
  }

  /** First index of the run of entries with the same term as {@code index} (fast back-off hint). */
  public long firstIndexOfTerm(long index) {
    long term = term(index);
    long i = index;
    while (i - 1 >= firstIndex() && term(i - 1) == term) {
      i--;
    }
    return i;
  }

  /**
   * Largest index {@code <= fromIndex} whose term equals {@code term}, or -1 if the log has no
   * entry of that term at or below fromIndex (the leader's side of the fast back-off).
   */
  public long lastIndexOfTerm(long fromIndex, long term) {
    long i = Math.min(fromIndex, lastIndex());
    while (i > stable.snapshotIndex() && term(i) > term) {
      i--;
    }
    return i >= stable.snapshotIndex() && term(i) == term ? i : -1;
  }

  /** Raises commitIndex; never lowers it and never past the last index. */
  public boolean commitTo(long index) {
    if (index <= commitIndex) {
      return false;
    }
    Invariants.check(index <= lastIndex(), "commit %d > lastIndex %d", index, lastIndex());
    commitIndex = index;
    return true;
  }

  /**
   * Adopts an installed snapshot at {@code index} (thesis §5.3): the durable store has already been
   * compacted to it (keeping a matching suffix, or dropping the whole log), so the unstable tail is
   * discarded and commitIndex jumps to the snapshot (its entries are committed by definition).
   */
  public void restore(long index, long term) {
    Invariants.check(stable.snapshotIndex() == index && stable.snapshotTerm() == term,
        "restore to i%d t%d but the store's snapshot is i%d t%d", index, term,
        stable.snapshotIndex(), stable.snapshotTerm());
    Invariants.check(index > commitIndex, "restore to %d <= commitIndex %d", index, commitIndex);
    unstable = new UnstableLog(stable.lastIndex() + 1);
    commitIndex = index;
  }

  /** Marks the tail up to (index, term) durable after the runtime persisted it. */
  public void stableTo(long index, long term) {
    unstable.stableTo(index, term);
  }
}
