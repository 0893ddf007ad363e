package io.graft.bridge.apply;

import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.model.TxEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The accepted transaction entries of one apply batch waiting to be committed together, with their
 * positions in the batch, their Raft indexes and, for this member's own proposals whose committer
 * still waits, the claimed proposal (its kernel's commands). Entries of one kernel version only:
 * Neo4j decides log rotation and the log format from a chain's first transaction.
 */
final class TxChain {
  private final List<TxEntry> entries = new ArrayList<>();
  private final List<Integer> positions = new ArrayList<>();
  private final List<Long> indexes = new ArrayList<>();
  private final List<ProposalWaiters.Proposal> claims = new ArrayList<>();

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether {@code tx} may join this chain (same kernel version as its first entry). */
  boolean accepts(TxEntry tx) {
    return entries.isEmpty() || entries.get(0).kernelVersion() == tx.kernelVersion();
  }

  /** @param claim this member's own waiting proposal of {@code tx}, claimed; or null */
  void add(int position, long raftIndex, TxEntry tx, ProposalWaiters.Proposal claim) {
    entries.add(tx);
    positions.add(position);
    indexes.add(raftIndex);
    claims.add(claim);
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

  /**
   * Commits the chain through {@code applier}, then releases every claimed proposal (whatever
   * the outcome), before any waiter is completed. @return tx ids in order
   */
  long[] commit(EntryApplier applier) throws Exception {
    List<ChainLink> links = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      ProposalWaiters.Proposal claim = claims.get(i);
      links.add(new ChainLink(entries.get(i), indexes.get(i),
          claim == null ? null : claim.commands()));
    }
    long[] txIds;
    try {
      long started = System.nanoTime();
      forEachClaim(c -> c.applyStarted(started));
      txIds = applier.applyChain(links);
      long done = System.nanoTime();
      forEachClaim(c -> c.neo4jCommitDone(done));
    } finally {
      releaseClaims();
    }
    if (txIds.length != entries.size()) {
      throw new IllegalStateException("applier returned " + txIds.length + " tx ids for a chain of "
          + entries.size());
    }
    return txIds;
  }

  private void forEachClaim(Consumer<ProposalWaiters.Proposal> action) {
    for (ProposalWaiters.Proposal claim : claims) {
      if (claim != null) {
        action.accept(claim);
      }
    }
  }

  /** Releases the claims not yet released (a chain abandoned by a failure). */
  void releaseClaims() {
    for (int i = 0; i < claims.size(); i++) {
      ProposalWaiters.Proposal claim = claims.get(i);
      if (claim != null) {
        claim.release();
        claims.set(i, null);
      }
    }
  }

  void clear() {
    entries.clear();
    positions.clear();
    indexes.clear();
    claims.clear();
  }
}
