package io.graft.raft.sim;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A {@link LogStore} that keeps what was <em>written</em> apart from what was <em>fsynced</em>.
 *
 * <p>Reads see every write (like a page cache). Writes not yet durable (issued after the last
 * {@link #sync()} or before a started sync was forced) are kept as an undo list of operations;
 * {@link #crash} keeps a random prefix of them, possibly tearing the last kept append after any
 * of its entries (a torn record is detected by its checksum on reopen
 * and dropped, so it is equivalent to a shorter append), or leaving the first lost truncation half
 * done (only a prefix of what it removed comes back: the segmented store deletes from the end).
 * This is the latitude the segmented store takes on a real disk (its crash test, {@code
 * SegmentedLogCrashTest}, allows exactly these states): the reopened log is a prefix-consistent
 * state reachable from the last sync by the operations issued since.
 *
 * <p>Every entry carries a rolling prefix hash so the {@link SafetyChecker} compares whole log
 * prefixes (Log Matching, §5.3) in O(1).
 *
 * <p>Compaction is logical: entries up to {@link #snapshotIndex()} stay in memory as a shadow for
 * the {@link SafetyChecker} (prefix hashes, {@link #anyTerm}, {@link #entry}) but the {@link
 * LogStore} view refuses them exactly like a real compacted store. Installing a snapshot beyond the
 * log ({@link #installSnapshot}) replaces the shadow by the sender's prefix. Compaction is durable
 * at once (the segmented store writes its log-meta synchronously), so it requires every earlier
 * write to be synced first: the simulated runtime compacts only between Readies, after a sync.
 */
public final class SimLogStore implements LogStore {
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  private long[] prefixHashes = new long[64];

  /** Operations not yet durable, oldest first; undone on crash. */
  private final ArrayList<Op> pending = new ArrayList<>();

  /** Operations ever issued before {@code pending.get(0)}: they are durable. */
  private long durableOps;

  /** Syncs started ({@link #startSync}) and not yet forced: the runtime must wait for them. */
  private int syncsRunning;

  private long syncCount;
  private long snapshotIndex;
  private long snapshotTerm;

  /** One un-synced write: an append, or a truncation with what it removed (restored on undo). */
  private record Op(boolean append, long fromIndex, List<LogEntry> entries) {}

  @Override
  public long firstIndex() {
    return snapshotIndex + 1;
  }

  @Override
  public long lastIndex() {
    return entries.size();
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
    if (index < snapshotIndex) {
      throw new IndexOutOfBoundsException("term of compacted index " + index + " (snapshot "
          + snapshotIndex + ")");
    }
    return get(index).term();
  }

  /** Term at any index the shadow holds, compacted or not (for the checker); 0 for index 0. */
  public long anyTerm(long index) {
    return index == 0 ? 0 : get(index).term();
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    if (fromIndex < firstIndex() || toIndexExclusive > lastIndex() + 1
        || fromIndex > toIndexExclusive) {
      throw new IndexOutOfBoundsException(
          "range ["
              + fromIndex
              + ", "
              + toIndexExclusive
              + ") outside ["
              + firstIndex()
              + ", "
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
    requireNoSyncRunning("truncateSuffix");
    if (fromIndex <= snapshotIndex) {
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
    if (upToIndex <= snapshotIndex) {
      return;
    }
    requireNoSyncRunning("compactPrefix");
    requireSynced("compactPrefix");
    if (upToIndex > lastIndex() || get(upToIndex).term() != upToTerm) {
      throw new IllegalArgumentException("the simulator compacts only below its last index and at"
          + " a matching term (" + upToIndex + ", " + upToTerm + "); use installSnapshot");
    }
    snapshotIndex = upToIndex;
    snapshotTerm = upToTerm;
  }

  /**
   * Installs a snapshot whose log prefix is {@code prefix} (entries 1..index of the sender, the
   * shadow): the log is dropped and then starts right after the snapshot (thesis §5.3 receiver
   * rule 7). Like {@link #compactPrefix}, durable at once.
   */
  public void installSnapshot(List<LogEntry> prefix, long index, long term) {
    requireNoSyncRunning("installSnapshot");
    requireSynced("installSnapshot");
    if (prefix.size() != index || prefix.get((int) index - 1).term() != term) {
      throw new IllegalArgumentException("snapshot prefix does not end at (" + index + ", " + term
          + ")");
    }
    snapshotIndex = 0;
    popTo(0);
    prefix.forEach(this::push);
    snapshotIndex = index;
    snapshotTerm = term;
  }

  /** The shadow entries 1..index (what a snapshot at index carries for the checker). */
  public List<LogEntry> shadowPrefix(long index) {
    return List.copyOf(entries.subList(0, (int) index));
  }

  private void requireSynced(String what) {
    if (!pending.isEmpty()) {
      throw new IllegalStateException(what + " with un-synced writes: the runtime syncs first");
    }
  }

  /**
   * The LogStore contract: truncation, compaction and sync must wait until every started sync
   * has finished (the runtime's DurableWriter.awaitIdle).
   */
  private void requireNoSyncRunning(String what) {
    if (syncsRunning > 0) {
      throw new IllegalStateException(
          what + " while " + syncsRunning + " started sync(s) have not finished");
    }
  }

  @Override
  public void sync() {
    requireNoSyncRunning("sync");
    durableOps += pending.size();
    pending.clear();
    syncCount++;
  }

  /**
   * A sync whose force may come later: it makes durable exactly the operations issued before it
   * was started (later ones stay exposed to a crash), like a real fsync handed to another thread.
   */
  @Override
  public Sync startSync() {
    long mark = durableOps + pending.size();
    syncsRunning++;
    boolean[] forced = {false};
    return () -> {
      if (forced[0]) {
        throw new IllegalStateException("a started sync was forced twice");
      }
      forced[0] = true;
      syncsRunning--;
      long done = mark - durableOps;
      if (done > 0) {
        pending.subList(0, (int) done).clear();
        durableOps = mark;
      }
      syncCount++;
    };
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
    // The crash may also fall inside a truncation, which the segmented store carries out from the
    // end (the last segments are deleted first): only a prefix of what it removed comes back.
    int truncationRestored = -1;
    if (keep < pending.size() && !pending.get(keep).append() && random.nextBoolean()) {
      truncationRestored = random.nextInt(pending.get(keep).entries().size() + 1);
    }
    int changed = 0;
    for (int i = pending.size() - 1; i >= keep; i--) {
      Op op = pending.get(i);
      changed += undo(op, op.append() ? 0 : i == keep && truncationRestored >= 0
          ? truncationRestored : op.entries().size());
    }
    if (tornKeep >= 0) {
      changed += undo(pending.get(keep - 1), tornKeep);
    }
    durableOps += keep;
    pending.clear();
    syncsRunning = 0; // the process died: its started syncs never finish
    return changed;
  }

  /** Loses every un-synced write (a crash with no lucky partial writes). */
  public void crashLosingAllUnsynced() {
    for (int i = pending.size() - 1; i >= 0; i--) {
      Op op = pending.get(i);
      undo(op, op.append() ? 0 : op.entries().size());
    }
    pending.clear();
    syncsRunning = 0;
  }

  /** Rolling hash of entries 1..index; 0 for index 0. */
  public long prefixHash(long index) {
    if (index == 0) {
      return 0;
    }
    get(index);
    return prefixHashes[(int) index - 1];
  }

  /**
   * The last index that survives any crash now: everything below the first entry a not-yet-durable
   * append or truncation could take away.
   */
  public long durableLastIndex() {
    long durable = lastIndex();
    for (Op op : pending) {
      durable = Math.min(durable, op.fromIndex() - 1);
    }
    return durable;
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

  /**
   * Undoes {@code op}: an append keeps its first {@code n} entries, a truncation brings back the
   * first {@code n} entries it removed.
   */
  private int undo(Op op, int n) {
    if (op.append()) {
      popTo(op.fromIndex() - 1 + n);
      return op.entries().size() - n;
    }
    op.entries().subList(0, n).forEach(this::push);
    return n;
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
    if (newLastIndex < snapshotIndex) {
      throw new IllegalStateException("undo below the snapshot index " + snapshotIndex);
    }
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
