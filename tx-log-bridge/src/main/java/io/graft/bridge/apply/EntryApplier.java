package io.graft.bridge.apply;

import io.graft.bridge.model.TxEntry;
import java.util.List;

/** Applies transaction entries at their Raft indexes and returns their tx ids ({@link TxApplier}). */
public interface EntryApplier {
  long apply(TxEntry entry, long raftIndex) throws Exception;

  /**
   * Applies consecutive committed transaction entries (strict log order, one kernel version) as
   * ONE chain: with Neo4j's commit process, one log append for all of them (group commit). On
   * return every entry is applied, each with its own Raft index as consensusIndex. Default:
   * {@link #apply} for each entry, in order (its own commands unused).
   *
   * @return the tx id of each entry, in order
   */
  default long[] applyChain(List<ChainLink> links) throws Exception {
    long[] txIds = new long[links.size()];
    for (int i = 0; i < txIds.length; i++) {
      txIds[i] = apply(links.get(i).entry(), links.get(i).raftIndex());
    }
    return txIds;
  }
}
