package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.MembershipChangeException.Reason;
import io.graft.raft.api.Role;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.membership.ConfigurationCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recovery after losing a majority for good (etcd's {@code --force-new-cluster}, Neo4j 3.5's
 * {@code unbind}): a surviving voter makes itself the only voter of a new cluster incarnation. Raft
 * cannot make progress without a majority (§5.2, §5.4), so this steps outside it, deliberately
 * and only on the operator's word; it is refused whenever the cluster might still be alive:
 *
 * <ul>
 *   <li>this member leads, or believes in a leader (it heard one within the election timeout);
 *   <li>together with the voters it heard from within two election timeouts (any message: votes
 *       and PreVotes of a leaderless majority travel at least once per election timeout) it forms
 *       a majority of its configuration, which can elect a leader without help;
 *   <li>it has not been running for two election timeouts yet (it cannot tell);
 *   <li>it is not a voter (a learner may be far behind; a removed member is not in the cluster).
 * </ul>
 *
 * <p>Otherwise, in one step: a new term, the member's vote for itself, a CONFIGURATION entry with
 * itself as the only voter in a new epoch appended after its whole log (nothing is truncated: the
 * entries it holds beyond its commit index may have been committed by the lost majority, and a
 * client may have been told so), then leadership of that term (one voter: its own vote is a
 * majority) and the leader's no-op, through which every earlier entry commits (§5.4.2). The
 * configuration entry is durable with the Ready that carries it, so a restart keeps it (§4.1: the
 * latest configuration in the log is used). The epoch is the caller's: the machine stays free of
 * randomness beyond its seeded jitter.
 */
final class ForceNewClusterStep {
  private final RaftMachine m;
  /** The tick of the last message heard from each member (any type, any term). */
  private final Map<MemberId, Long> lastHeard = new TreeMap<>();

  ForceNewClusterStep(RaftMachine machine) {
    this.m = machine;
  }

  /** Every inbound message from another member: proof that it is alive and reachable. */
  void heard(MemberId from) {
    lastHeard.put(from, m.tickCount);
  }

  /** Ticks over which a voter that sent nothing counts as unreachable. */
  long contactWindowTicks() {
    return 2L * m.config.electionTimeoutTicks();
  }

  ForcedConfiguration force(long epoch) {
    Configuration previous = m.configuration;
    checkAllowed(epoch, previous);
    long commit = m.log.commitIndex();
    long last = m.log.lastIndex();
    Configuration next = Configuration.forced(m.self, epoch);
    m.roles.becomeCandidate(); // a new term and the vote for itself (durable with the Ready)
    long configIndex = last + 1;
    List<LogEntry> entry = List.of(new LogEntry(
        m.term, configIndex, EntryType.CONFIGURATION, ConfigurationCodec.encode(next)));
    m.log.append(entry);
    m.configTracker.onAppended(entry); // the single-voter configuration is in force at once
    m.roles.becomeLeader(); // its own vote is the majority of {self}; appends the no-op
    return new ForcedConfiguration(previous, next, m.term, commit, last, configIndex);
  }

  private void checkAllowed(long epoch, Configuration previous) {
    if (epoch == previous.epoch()) {
      throw new IllegalArgumentException("the new epoch must differ from the current one");
    }
    if (m.role == Role.LEADER) {
      throw new MembershipChangeException(Reason.LEADER_KNOWN, m.self + " is the leader of term "
          + m.term + ": the cluster has a working majority, nothing to recover", m.self);
    }
    if (m.leader != null) {
      throw new MembershipChangeException(Reason.LEADER_KNOWN, "member " + m.leader + " is the"
          + " leader of term " + m.term + " (heard within the election timeout): the cluster has"
          + " a working majority; change the membership there with raft.removeMember and"
          + " raft.addMember instead", m.leader);
    }
    if (!previous.isVoter(m.self)) {
      throw new MembershipChangeException(Reason.NOT_A_VOTER, m.self + " is not a voter of its"
          + " configuration (" + previous + "): only a surviving voter can re-form the cluster");
    }
    long window = contactWindowTicks();
    if (m.tickCount < window) {
      throw new MembershipChangeException(Reason.QUORUM_REACHABLE, m.self + " started "
          + m.tickCount + " ticks ago: it cannot tell yet whether a majority is reachable (it"
          + " waits " + window + " ticks, two election timeouts, for the voters to be heard);"
          + " retry shortly");
    }
    List<MemberId> reachable = new ArrayList<>();
    for (MemberId voter : previous.voters()) {
      Long at = lastHeard.get(voter);
      if (!voter.equals(m.self) && at != null && m.tickCount - at <= window) {
        reachable.add(voter);
      }
    }
    int quorum = previous.voters().size() / 2 + 1;
    if (reachable.size() + 1 >= quorum) {
      throw new MembershipChangeException(Reason.QUORUM_REACHABLE, "voters " + reachable
          + " were heard from within two election timeouts: with " + m.self + " they are "
          + (reachable.size() + 1) + " of " + previous.voters().size() + " voters, a majority"
          + " that can elect a leader by itself. Let it; if it cannot, find out why (an"
          + " election needs the voters to reach each other)");
    }
  }
}
