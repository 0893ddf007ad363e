package io.graft.bridge.apply;

import io.graft.bridge.model.TxEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The accepted transaction entries of one apply batch waiting to be committed together, with their
 * positions in the batch and their Raft indexes. Entries of one kernel version only: Neo4j decides
 * log rotation and the log format from a chain's first transaction.
 */
final class TxChain {
  private final List<TxEntry> entries = new ArrayList<>();
  private final List<Integer> positions = new ArrayList<>();
  private final List<Long> indexes = new ArrayList<>();

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether {@code tx} may join this chain (same kernel version as its first entry). */
  boolean accepts(TxEntry tx) {
    return entries.isEmpty() || entries.get(0).kernelVersion() == tx.kernelVersion();
  }

  void add(int position, long raftIndex, TxEntry tx) {
    entries.add(tx);
    positions.add(position);
    indexes.add(raftIndex);
  }

  int size() {
    return entries.size();
  }

  TxEntry entry(int i) {
    return entries.get(i);
  }

  int position(int i) {
    return positions.get(i);
  }

  /** Commits the chain through {@code applier} and empties it. @return tx ids in order */
  long[] commit(EntryApplier applier) throws Exception {
    long[] raftIndexes = new long[indexes.size()];
    for (int i = 0; i < raftIndexes.length; i++) {
      raftIndexes[i] = indexes.get(i);
    }
    long[] txIds = applier.applyChain(List.copyOf(entries), raftIndexes);
    if (txIds.length != entries.size()) {
      throw new IllegalStateException("applier returned " + txIds.length + " tx ids for a chain of "
          + entries.size());
    }
    return txIds;
  }

  void clear() {
    entries.clear();
    positions.clear();
    indexes.clear();
  }
}
