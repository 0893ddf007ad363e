package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.protocol.progress.Progress;

/**
 * Which targets a leadership transfer (thesis §3.10) accepts: a voter other than the leader that is
 * close enough to be caught up within about an election timeout (so the cluster refuses proposals
 * only briefly). Not during a membership change: one at a time. An unreachable target is not
 * refused here: the transfer simply aborts after an election timeout.
 */
final class TransferCheck {
  private TransferCheck() {}

  /**
   * Entries a target may lag: what the pipeline can carry in one election timeout, at least 1024.
   */
  static long lagMax(RaftConfig config) {
    return Math.max(
        1024L,
        (long) config.entriesPerAppendMax()
            * config.inflightAppendsMax()
            * config.electionTimeoutTicks());
  }

  static void check(RaftMachine m, MemberId target, boolean changeInProgress) {
    if (!m.configuration.isVoter(target)) {
      String what = m.configuration.isLearner(target) ? "a learner" : "not a member";
      throw new MembershipChangeException(
          Reason.INVALID_TARGET,
          "cannot transfer leadership to " + target + ": it is " + what + " of " + m.configuration);
    }
    if (changeInProgress) {
      throw new MembershipChangeException(
          Reason.CHANGE_IN_PROGRESS,
          "cannot transfer leadership to " + target + ": a membership change is in progress");
    }
    Progress pr = m.progress.get(target);
    long lag = m.log.lastIndex() - pr.matchIndex();
    if (lag > lagMax(m.config)) {
      throw new MembershipChangeException(
          Reason.INVALID_TARGET,
          String.format(
              "cannot transfer leadership to %s: it is %d entries behind (max %d)",
              target, lag, lagMax(m.config)));
    }
  }
}
