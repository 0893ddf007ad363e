package io.graft.raft.sim;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A {@link LogStore} that keeps what was <em>written</em> apart from what was <em>fsynced</em>.
 *
 * <p>Reads see every write (like a page cache). Writes since the last {@link #sync()} are kept as
 * an undo list of operations; {@link #crash} keeps a random prefix of them, possibly tearing the
 * last kept append after any of its entries (a torn record is detected by its checksum on reopen
 * and dropped, so it is equivalent to a shorter append). This is exactly the latitude the {@link
 * LogStore} contract gives a real disk: the reopened log is a prefix-consistent state reachable
 * from the last sync by the operations issued since.
 *
 * <p>Every entry carries a rolling prefix hash so the {@link SafetyChecker} compares whole log
 * prefixes (Log Matching, §5.3) in O(1). The simulator never compacts: snapshots are not modelled.
 */
public final class SimLogStore implements LogStore {
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  private long[] prefixHashes = new long[64];

  /** Operations since the last sync, oldest first; undone on crash. */
  private final ArrayList<Op> pending = new ArrayList<>();

  private long syncCount;

  /** One un-synced write: an append, or a truncation with what it removed (restored on undo). */
  private record Op(boolean append, long fromIndex, List<LogEntry> entries) {}

  @Override
  public long firstIndex() {
    return 1;
  }

  @Override
  public long lastIndex() {
    return entries.size();
  }

  @Override
  public long snapshotIndex() {
    return 0;
  }

  @Override
  public long snapshotTerm() {
    return 0;
  }

  @Override
  public long term(long index) {
    if (index == 0) {
      return 0;
    }
    return get(index).term();
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    if (fromIndex < 1 || toIndexExclusive > lastIndex() + 1 || fromIndex > toIndexExclusive) {
      throw new IndexOutOfBoundsException(
          "range ["
              + fromIndex
              + ", "
              + toIndexExclusive
              + ") outside [1, "
              + (lastIndex() + 1)
              + ")");
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
    long expected = lastIndex() + 1;
    long previousTerm = term(lastIndex());
    for (LogEntry e : newEntries) {
      if (e.index() != expected) {
        throw new IllegalArgumentException(
            "append out of order: expected index " + expected + ", got " + e);
      }
      // Terms never decrease along a Raft log (§5.3: entries are appended in term order).
      if (e.term() < previousTerm) {
        throw new IllegalArgumentException("append with decreasing term: " + e);
      }
      previousTerm = e.term();
      expected++;
    }
    if (newEntries.isEmpty()) {
      return;
    }
    pending.add(new Op(true, newEntries.get(0).index(), List.copyOf(newEntries)));
    newEntries.forEach(this::push);
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    if (fromIndex < 1) {
      throw new IllegalArgumentException("cannot truncate at " + fromIndex);
    }
    if (fromIndex > lastIndex()) {
      return;
    }
    List<LogEntry> removed = List.copyOf(entries.subList((int) fromIndex - 1, entries.size()));
    pending.add(new Op(false, fromIndex, removed));
    popTo(fromIndex - 1);
  }

  @Override
  public void compactPrefix(long upToIndex, long upToTerm) {
    throw new UnsupportedOperationException(
        "the simulator does not model snapshots/compaction (compactPrefix " + upToIndex + ")");
  }

  @Override
  public void sync() {
    pending.clear();
    syncCount++;
  }

  @Override
  public void close() {}

  /**
   * Simulates a power loss: keeps a random prefix of the un-synced operations (the last kept append
   * possibly torn) and discards the rest. Returns how many entries the crash changed, for the
   * trace.
   */
  public int crash(RandomGenerator random) {
    int keep = pending.isEmpty() ? 0 : random.nextInt(pending.size() + 1);
    int tornKeep = -1;
    if (keep > 0 && pending.get(keep - 1).append() && random.nextBoolean()) {
      tornKeep = random.nextInt(pending.get(keep - 1).entries().size() + 1);
    }
    int changed = 0;
    for (int i = pending.size() - 1; i >= keep; i--) {
      changed += undo(pending.get(i), 0);
    }
    if (tornKeep >= 0) {
      changed += undo(pending.get(keep - 1), tornKeep);
    }
    pending.clear();
    return changed;
  }

  /** Loses every un-synced write (a crash with no lucky partial writes). */
  public void crashLosingAllUnsynced() {
    for (int i = pending.size() - 1; i >= 0; i--) {
      undo(pending.get(i), 0);
    }
    pending.clear();
  }

  /** Rolling hash of entries 1..index; 0 for index 0. */
  public long prefixHash(long index) {
    if (index == 0) {
      return 0;
    }
    get(index);
    return prefixHashes[(int) index - 1];
  }

  public long syncCount() {
    return syncCount;
  }

  public boolean hasUnsyncedWrites() {
    return !pending.isEmpty();
  }

  public LogEntry entry(long index) {
    return get(index);
  }

  private int undo(Op op, int keepEntries) {
    if (op.append()) {
      popTo(op.fromIndex() - 1 + keepEntries);
      return op.entries().size() - keepEntries;
    }
    op.entries().forEach(this::push);
    return op.entries().size();
  }

  private void push(LogEntry e) {
    int position = entries.size();
    if (position == prefixHashes.length) {
      prefixHashes = java.util.Arrays.copyOf(prefixHashes, position * 2);
    }
    long previous = position == 0 ? 0 : prefixHashes[position - 1];
    prefixHashes[position] = Hashing.prefix(previous, e);
    entries.add(e);
  }

  private void popTo(long newLastIndex) {
    while (entries.size() > newLastIndex) {
      entries.remove(entries.size() - 1);
    }
  }

  private LogEntry get(long index) {
    if (index < 1 || index > lastIndex()) {
      throw new IndexOutOfBoundsException("index " + index + " outside [1, " + lastIndex() + "]");
    }
    return entries.get((int) index - 1);
  }
}
