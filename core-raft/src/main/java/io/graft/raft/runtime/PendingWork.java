package io.graft.raft.runtime;

import io.graft.raft.api.RaftShutdownException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a node still owes an answer: proposals (registered or still in the inbox),
 * membership changes and a forced new cluster. When the node stops, each is failed with the
 * {@link RaftShutdownException} that says why. Any thread.
 */
final class PendingWork {
  private final ProposalRegistry registry;
  private final MembershipRequests membershipRequests;
  private final ForcedClusterRequest forcedCluster;
  private final Inbox inbox;

  PendingWork(ProposalRegistry registry, MembershipRequests membershipRequests,
      ForcedClusterRequest forcedCluster, Inbox inbox) {
    this.registry = registry;
    this.membershipRequests = membershipRequests;
    this.forcedCluster = forcedCluster;
    this.inbox = inbox;
  }

  /** Fails what the owner thread took on: registered proposals, changes, a forced cluster. */
  void failTaken(RaftShutdownException cause) {
    registry.failAll(cause);
    membershipRequests.failAll(cause);
    forcedCluster.failAll(cause);
  }

  /** Fails the proposals still in the inbox (drained) and every membership change. */
  void failQueued(RaftShutdownException cause) {
    List<Event> left = new ArrayList<>();
    inbox.drainRemaining(left);
    for (Event e : left) {
      if (e instanceof Event.Proposal p) {
        p.future().completeExceptionally(cause);
      }
    }
    membershipRequests.failAll(cause);
  }
}
