package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.util.List;

/**
 * The role transitions shared by the role steps (etcd-io/raft become*): each resets the per-role
 * state of {@link RaftMachine} (timers, votes, progress, transfer, back-pressure) and aborts a
 * membership change in flight.
 */
final class RoleTransitions {
  private final RaftMachine m;

  RoleTransitions(RaftMachine machine) {
    this.m = machine;
  }

  void becomeFollower(long newTerm, MemberId newLeader) {
    reset(newTerm);
    m.role = Role.FOLLOWER;
    m.leader = newLeader;
  }

  void becomePreCandidate() {
    Invariants.check(m.role != Role.LEADER, "leader cannot become pre-candidate");
    // §9.6: PreVote does not bump the term nor change the vote.
    reset(m.term);
    m.role = Role.PRE_CANDIDATE;
    m.preVotesStarted++;
  }

  void becomeCandidate() {
    Invariants.check(m.role != Role.LEADER, "leader cannot become candidate");
    reset(m.term + 1);
    // §5.2: a candidate votes for itself (durable before its RequestVotes leave).
    m.votedFor = m.self;
    m.role = Role.CANDIDATE;
    m.electionsStarted++;
  }

  void becomeLeader() {
    Invariants.check(m.role == Role.CANDIDATE, "only a candidate becomes leader, was %s", m.role);
    reset(m.term);
    m.role = Role.LEADER;
    m.leader = m.self;
    m.configTracker.syncProgress();
    // §3.6.2 / Figure 8: commit earlier-term entries through an entry of the new term, at once.
    long index = m.log.lastIndex() + 1;
    m.leaderStep().appendOwn(List.of(new LogEntry(m.term, index, EntryType.NOOP, null)));
  }

  private void reset(long newTerm) {
    m.membershipStep().abort();
    if (newTerm != m.term) {
      m.term = newTerm;
      m.votedFor = null;
    }
    m.leader = null;
    m.electionElapsed = 0;
    m.heartbeatElapsed = 0;
    resetRandomizedElectionTimeout();
    m.votes.clear();
    m.ownVotePending = false;
    m.progress.clear();
    m.leadTransferee = null;
    m.transferElapsed = 0;
    m.uncommittedBytes = 0;
  }

  /** §5.2: randomized in [electionTimeoutTicks, 2 * electionTimeoutTicks). */
  void resetRandomizedElectionTimeout() {
    m.randomizedElectionTimeout =
        m.config.electionTimeoutTicks() + m.random.nextInt(m.config.electionTimeoutTicks());
  }
}
