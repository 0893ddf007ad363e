package io.graft.raft.api;

import java.util.concurrent.CompletableFuture;

/**
 * A running Raft member. Thread-safe: any thread may call any method; all work happens on the
 * node's single owner thread.
 */
public interface RaftNode extends AutoCloseable {

  /**
   * Proposes an application entry. The future completes after the entry is committed and applied to
   * the local state machine, with its index; or fails with {@link NotLeaderException} (carrying the
   * leader hint), {@link ProposalDroppedException} (leadership lost before commit; the entry may or
   * may not commit later), {@link ProposalRejectedException} (back-pressure: too many uncommitted
   * bytes) or {@link RaftShutdownException}.
   */
  CompletableFuture<CommitResult> propose(byte[] payload);

  /** An immutable snapshot of this member's view of the cluster. Cheap; never blocks. */
  RaftStatus status();

  /** Registers a listener for role and leader changes, called on a non-owner thread, in order. */
  void addListener(RaftListener listener);

  @Override
  void close();
}
