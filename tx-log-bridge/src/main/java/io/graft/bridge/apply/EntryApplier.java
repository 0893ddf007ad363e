package io.graft.bridge.apply;

import io.graft.bridge.model.TxEntry;

/** Applies one transaction entry at a Raft index and returns its tx id ({@link TxApplier}). */
public interface EntryApplier {
  long apply(TxEntry entry, long raftIndex) throws Exception;
}
