package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.protocol.quorum.VoteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Leader election (§5.2) with PreVote (thesis §9.6) and the leader-lease rule (thesis §4.2.3): the
 * election timer of followers and candidates, campaigns, and the voting rules.
 */
final class ElectionStep {
  private final RaftMachine m;
  private final Logger log;
  /**
   * PreVote requests ignored under the current leader's lease, the newest per asker, with the
   * tick they came at: answered after all if that leader is lost soon after ({@link #onPeerLost}).
   */
  private final Map<MemberId, Ignored> ignoredPreVotes = new LinkedHashMap<>();

  private record Ignored(RequestVote request, long tick) {}

  ElectionStep(RaftMachine machine, Logger log) {
    this.m = machine;
    this.log = log;
  }

  /** Follower/candidate tick: start an election once the randomized timeout passes (§5.2). */
  void tick() {
    m.electionElapsed++;
    if (m.configTracker.promotable() && m.electionElapsed >= m.randomizedElectionTimeout) {
      m.electionElapsed = 0;
      campaign(m.config.preVote(), false);
    }
  }

  /**
   * The runtime lost its connection to {@code peer}. If that is the leader this follower follows,
   * the leader may have crashed (a killed process's connections close at once, long before an
   * election timeout passes): forget it, so this member no longer refuses PreVotes on its behalf
   * (§4.2.3). The voter with the lowest id after the lost leader campaigns within 1-2 ticks; the
   * others keep their randomized timeout, so the followers that all saw the connection close do
   * not split the vote (under load, ticks run in bursts: no delay in ticks keeps two campaigns
   * apart). If that voter cannot win (its log is behind) or is gone too, the next election comes
   * after the usual timeout. Only with PreVote (thesis §9.6): if the leader is in fact alive, the
   * followers still hearing from it refuse, and nothing changes; without PreVote the real election
   * would depose a live leader, so the timeout is left alone.
   *
   * <p>Returns the PreVote requests this member ignored under that leader's lease within the last
   * election timeout, to be handled again now that it is forgotten: the voter that goes first may
   * see the connection close a few milliseconds before this one does, and its PreVote, ignored,
   * would otherwise wait out its whole randomized timeout (two of 20 failover trials took 1.5 and
   * 1.8 s for this). A PreVote changes no state, so answering it late is answering it as if it
   * had come a moment later.
   */
  List<RequestVote> onPeerLost(MemberId peer) {
    if (!m.config.preVote()
        || m.role != Role.FOLLOWER
        || !peer.equals(m.leader)
        || !m.configTracker.promotable()) {
      return List.of();
    }
    m.leader = null;
    List<RequestVote> replay = new ArrayList<>();
    ignoredPreVotes.forEach((from, ignored) -> {
      if (!from.equals(peer) && m.tickCount - ignored.tick() <= m.config.electionTimeoutTicks()) {
        replay.add(ignored.request());
      }
    });
    ignoredPreVotes.clear();
    for (MemberId voter : m.configuration.voters()) {
      if (!voter.equals(peer) && voter.compareTo(m.self) < 0) {
        return replay; // a voter with a lower id goes first
      }
    }
    int delayTicks = 1 + m.random.nextInt(2);
    m.electionElapsed = Math.max(m.electionElapsed, m.randomizedElectionTimeout - delayTicks);
    return replay;
  }

  /**
   * A vote was refused only because the asker's log is behind ours (§5.4.1), and this follower
   * knows no leader either (it lost the leader's connection too, or its lease ran out): the asker
   * cannot win, and whoever can (a member with the longest log) would otherwise wait out its whole
   * randomized timeout. The usual case: the voter that goes first after a leader crash
   * ({@link #onPeerLost}) missed the leader's last entry. Campaign within 1-3 ticks instead; it is
   * still a PreVote round, so a live leader (which some other member still hears) is not deposed.
   */
  private void campaignSoonIfAhead() {
    if (!m.config.preVote()
        || m.role != Role.FOLLOWER
        || m.leader != null
        || !m.configTracker.promotable()) {
      return;
    }
    int delayTicks = 1 + m.random.nextInt(3);
    m.electionElapsed = Math.max(m.electionElapsed, m.randomizedElectionTimeout - delayTicks);
  }

  /**
   * True while a leader is known and was heard from within the election timeout (§4.2.3): on the
   * leader itself always (its {@code electionElapsed} restarts at every CheckQuorum round, and a
   * leader that fails one steps down); on a follower until an election timeout passes without its
   * leader, or until the runtime reports the leader's connection lost ({@link #onPeerLost}
   * forgets the leader, so the fast election is not stalled).
   */
  boolean inLeaderLease() {
    return m.leader != null
        && m.electionElapsed < m.config.electionTimeoutTicks()
        && m.mutation != Mutation.IGNORE_LEADER_LEASE;
  }

  /**
   * Thesis §4.2.3, disruptive servers: true if a (Pre)Vote request of a higher term must be
   * ignored (no term change, no vote, no answer) because this member believes in a live leader
   * ({@link #inLeaderLease}): a removed member never receives its removal nor any heartbeat, so it
   * times out and campaigns with ever higher terms; PreVote (§9.6) keeps its term down only if it
   * runs PreVote. Never for a leadership transfer's request (§3.10, TimeoutNow sets the flag, as
   * etcd-io/raft's {@code campaignTransfer}). With CheckQuorum for every request (etcd-io/raft's
   * {@code inLease}); without it, where a leader that lost its majority never steps down and could
   * refuse the votes that would replace it, only for PreVotes and requests from non-voters.
   */
  boolean ignoresAsDisruptive(RequestVote rv) {
    return !rv.leadershipTransfer()
        && inLeaderLease()
        && (rv.preVote() || m.config.checkQuorum() || !m.configuration.isVoter(rv.from()));
  }

  /** {@code rv} was ignored as disruptive: a follower keeps a PreVote for {@link #onPeerLost}. */
  void ignored(RequestVote rv) {
    if (rv.preVote() && m.role == Role.FOLLOWER) {
      ignoredPreVotes.put(rv.from(), new Ignored(rv, m.tickCount));
    }
  }

  /**
   * Starts a PreVote round (asking with term + 1, without bumping the term, §9.6) or a real
   * election (§5.2). {@code transfer} marks an election triggered by TimeoutNow (§3.10).
   */
  void campaign(boolean preVoteRound, boolean transfer) {
    long voteTerm;
    if (preVoteRound) {
      m.roles.becomePreCandidate();
      voteTerm = m.term + 1;
    } else {
      m.roles.becomeCandidate();
      voteTerm = m.term;
    }
    if (preVoteRound) {
      if (recordVote(m.self, true)) {
        return;
      }
    } else {
      // Its vote for itself counts once it is durable (onOwnVoteDurable): a single voter would
      // otherwise lead at once and send entries of a term it has not saved; restarted in the older
      // term it could lead that term a second time (§5.2, Election Safety).
      m.ownVotePending = true;
    }
    RequestVote request =
        new RequestVote(
            m.self, voteTerm, m.log.lastIndex(), m.log.lastTerm(), preVoteRound, transfer);
    for (MemberId voter : m.configuration.voters()) {
      if (!voter.equals(m.self)) {
        // The candidate's own vote and term must be durable before its RequestVotes leave (§5.2).
        m.sendAfterPersist(voter, request);
      }
    }
  }

  /**
   * Figure 2 RequestVote receiver, reached with {@code rv.term() >= term}: at most one vote per
   * term, and only for a log at least as up-to-date as ours (§5.4.1). A PreVote is granted under
   * the same rules plus "no live leader" (§9.6), and changes no state.
   */
  void onRequestVote(RequestVote rv) {
    boolean canVote =
        Objects.equals(m.votedFor, rv.from())
            || (m.votedFor == null && m.leader == null)
            || (rv.preVote() && rv.term() > m.term);
    if (rv.preVote() && !rv.leadershipTransfer() && inLeaderLease()) {
      canVote = false;
    }
    boolean granted =
        canVote
            && (m.log.isUpToDate(rv.lastLogIndex(), rv.lastLogTerm())
                || m.mutation == Mutation.VOTE_WITHOUT_LOG_CHECK);
    if (granted && !rv.preVote()) {
      m.votedFor = rv.from();
      m.electionElapsed = 0;
    }
    if (!rv.preVote()) {
      // One line per real vote (pre-votes would flood the log of a partitioned member's peers):
      // both logs' last term and index, so §5.4.1 can be checked from the outside.
      log.info("graft vote: member {} [last log term {}, index {}] {} its vote to {} [last log"
              + " term {}, index {}] for term {}", m.self, m.log.lastTerm(), m.log.lastIndex(),
          granted ? "GRANTED" : "REFUSED", rv.from(), rv.lastLogTerm(), rv.lastLogIndex(),
          rv.term());
    }
    if (!granted && canVote) {
      campaignSoonIfAhead();
    }
    long replyTerm = granted ? rv.term() : m.term;
    // A granted vote is durable before the reply leaves (§5.2 / Figure 2 persistent state).
    m.sendAfterPersist(
        rv.from(), new RequestVoteResponse(m.self, replyTerm, granted, rv.preVote()));
  }

  /** The Ready that saved this candidate's term and vote for itself was persisted. */
  void onOwnVoteDurable() {
    if (m.role == Role.CANDIDATE && m.ownVotePending) {
      m.ownVotePending = false;
      recordVote(m.self, true);
    }
  }

  void onRequestVoteResponse(RequestVoteResponse response) {
    boolean expected =
        (m.role == Role.PRE_CANDIDATE && response.preVote())
            || (m.role == Role.CANDIDATE && !response.preVote());
    if (expected) {
      recordVote(response.from(), response.granted());
    }
  }

  /**
   * Records the first response of a voter (duplicates never count twice) and acts on the tally.
   * Returns true when the round ended.
   */
  private boolean recordVote(MemberId from, boolean granted) {
    m.votes.putIfAbsent(from, granted);
    VoteResult result = m.majority.voteResult(m.votes);
    if (result == VoteResult.WON) {
      if (m.role == Role.PRE_CANDIDATE) {
        campaign(false, false);
      } else {
        m.roles.becomeLeader();
      }
      return true;
    }
    if (result == VoteResult.LOST) {
      m.roles.becomeFollower(m.term, null);
      return true;
    }
    return false;
  }
}
