package io.graft.raft.api;

import io.graft.raft.api.metrics.ConnectionMetrics;
import io.graft.raft.api.metrics.RaftMetrics;
import io.graft.raft.api.metrics.SnapshotMetrics;
import java.util.Optional;
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

  /**
   * Adds {@code member} (its id is its advertised Raft address) to the cluster: it joins as a
   * non-voting learner, is caught up in rounds (thesis §4.2.1: promoted only once a round finishes
   * within an election timeout), then becomes a voter. Completes with the configuration after the
   * promotion commits. One change at a time. Fails with {@link MembershipChangeException} (see its
   * reasons) or {@link RaftShutdownException}. Must be called on the leader.
   */
  CompletableFuture<Membership> addMember(MemberId member);

  /**
   * Removes {@code member}, the leader included (it keeps leading until the change commits, then
   * steps down, thesis §4.2.2). The last voter cannot be removed. Must be called on the leader.
   */
  CompletableFuture<Membership> removeMember(MemberId member);

  /**
   * Hands leadership to {@code target} (thesis §3.10): catches it up, sends TimeoutNow, refuses new
   * proposals meanwhile, gives up after an election timeout. Completes with the new leader.
   */
  CompletableFuture<MemberId> transferLeadership(MemberId target);

  /**
   * Recovery after losing a majority of voters for good (like etcd's {@code --force-new-cluster}):
   * this voter becomes the only voter, and the leader, of a new cluster incarnation (epoch),
   * keeping its whole log and state. Refused with {@link MembershipChangeException} (LEADER_KNOWN,
   * QUORUM_REACHABLE, NOT_A_VOTER) while a leader is known or a majority of voters may be
   * reachable. Completes, once the new configuration has committed, with what was known committed
   * and what may be lost; members of the old configuration that come back are refused by the
   * transport (they must be wiped and added again with {@link #addMember}).
   */
  default CompletableFuture<ForcedCluster> forceNewCluster() {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("forceNewCluster is not supported by " + getClass()));
  }

  /** The configuration this member currently uses (latest appended, committed or not). */
  Membership membership();

  /** An immutable snapshot of this member's view of the cluster. Cheap; never blocks. */
  RaftStatus status();

  /**
   * The fatal error (a failed log write or fsync, e.g. a full disk; a failed apply; a broken
   * invariant) that stopped this member, if any. A stopped member takes no proposals and no longer
   * follows the cluster until it is restarted; its {@link #status()} names no leader, and every
   * pending or later proposal fails with this exception. Cheap; never blocks.
   */
  default Optional<RaftShutdownException> failure() {
    return Optional.empty();
  }

  /**
   * An immutable snapshot of this member's metrics: per-stage write latency while it leads, log
   * fsync latency and counts, elections, leader changes, term. Cheap; never blocks. A node that
   * keeps no metrics returns {@link RaftMetrics#EMPTY}.
   */
  default RaftMetrics metrics() {
    return RaftMetrics.EMPTY;
  }

  /**
   * Snapshot transfers since start: sent and received, bytes, and the transfers in progress (for
   * the Neo4j plugin, store copies). A node without snapshot support returns {@link
   * SnapshotMetrics#EMPTY}. Cheap; waits at most a moment for the snapshot thread.
   */
  default SnapshotMetrics snapshotMetrics() {
    return SnapshotMetrics.EMPTY;
  }

  /**
   * The Raft transport's counters since start: refused connections by reason, reconnects, bad
   * frames, drops, connected peers. {@link ConnectionMetrics#EMPTY} for a transport that keeps
   * none. Cheap; never blocks.
   */
  default ConnectionMetrics connectionMetrics() {
    return ConnectionMetrics.EMPTY;
  }

  /** Registers a listener for role and leader changes, called on a non-owner thread, in order. */
  void addListener(RaftListener listener);

  @Override
  void close();
}
