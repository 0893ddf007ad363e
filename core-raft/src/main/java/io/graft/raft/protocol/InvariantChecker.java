package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import java.util.Objects;

/**
 * Checks the machine's invariants after every step, tick, proposal and advance (docs/STYLE.md
 * §3.8). Remembers the previous values to check monotonicity: term and commitIndex never decrease,
 * at most one vote per term (§5.2), and a leader never loses entries of its log while it leads
 * (§5.3, Leader Append-Only).
 */
final class InvariantChecker {
  private final RaftMachine m;
  private long lastTerm = -1;
  private MemberId lastVote;
  private long lastCommit = -1;
  private long leaderTerm = -1;
  private long leaderLastIndex = -1;

  InvariantChecker(RaftMachine machine) {
    this.m = machine;
  }

  void check() {
    long commit = m.log.commitIndex();
    long last = m.log.lastIndex();
    Invariants.check(commit <= last, "%s: commitIndex %d > lastIndex %d", m.self, commit, last);
    Invariants.check(
        commit >= lastCommit, "%s: commitIndex fell %d -> %d", m.self, lastCommit, commit);
    Invariants.check(m.term >= lastTerm, "%s: term fell %d -> %d", m.self, lastTerm, m.term);
    Invariants.check(
        m.term != lastTerm || lastVote == null || lastVote.equals(m.votedFor),
        "%s: second vote in term %d: %s then %s",
        m.self,
        m.term,
        lastVote,
        m.votedFor);
    Invariants.check(
        (m.role == Role.LEADER) == m.self.equals(m.leader),
        "%s: role %s but leader %s",
        m.self,
        m.role,
        m.leader);
    Invariants.check(
        m.log.persistedIndex() <= last,
        "%s: persisted %d > last %d",
        m.self,
        m.log.persistedIndex(),
        last);
    Invariants.check(
        m.readyTracker.appliedHandedOut() <= commit,
        "%s: applied %d > commit %d",
        m.self,
        m.readyTracker.appliedHandedOut(),
        commit);
    if (m.role == Role.LEADER) {
      Invariants.check(
          Objects.equals(m.votedFor, m.self), "%s: leader did not vote for itself", m.self);
      if (leaderTerm == m.term) {
        Invariants.check(
            last >= leaderLastIndex,
            "%s: leader log shrank %d -> %d",
            m.self,
            leaderLastIndex,
            last);
      }
      leaderTerm = m.term;
      leaderLastIndex = last;
      int others = m.configuration.voters().size() + m.configuration.learners().size();
      others -= m.configuration.isMember(m.self) ? 1 : 0;
      Invariants.check(
          m.progress.size() == others,
          "%s: leader tracks %s followers, configuration %s",
          m.self,
          m.progress.size(),
          m.configuration);
    }
    lastTerm = m.term;
    lastVote = m.votedFor;
    lastCommit = commit;
  }
}
