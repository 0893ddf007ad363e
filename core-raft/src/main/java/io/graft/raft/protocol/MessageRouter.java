package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.message.TimeoutNow;

/**
 * Applies the term rules to every inbound message, then dispatches it by role. The only place that
 * branches on message type.
 *
 * <p>Term rules (Figure 2 "Rules for Servers", thesis §4.2.3, §9.6): a higher term makes the
 * receiver a follower of that term, except PreVote requests and granted PreVote responses (they
 * carry a prospective term and change no state), and except (Pre)Vote requests that arrive while
 * the receiver believes in a live leader (the lease rule, {@link
 * ElectionStep#ignoresAsDisruptive}), which are ignored unless they come from a leadership
 * transfer. A lower term is stale: requests are answered with the current term so the
 * sender steps down; responses are dropped.
 */
final class MessageRouter implements RaftMessage.Handler<Void> {
  private final RaftMachine m;
  private final ElectionStep election;
  private final FollowerStep follower;
  private final LeaderStep leader;
  private final SnapshotStep snapshots;

  MessageRouter(
      RaftMachine machine,
      ElectionStep election,
      FollowerStep follower,
      LeaderStep leader,
      SnapshotStep snapshots) {
    this.m = machine;
    this.election = election;
    this.follower = follower;
    this.leader = leader;
    this.snapshots = snapshots;
  }

  void route(RaftMessage message) {
    if (message instanceof ChangeRequest || message instanceof ChangeResponse) {
      return; // not Raft: no term rules (the runtime handles them before the machine)
    }
    if (acceptTerm(message)) {
      message.accept(this);
    }
  }

  private boolean acceptTerm(RaftMessage msg) {
    if (msg.term() > m.term) {
      if (msg instanceof RequestVote rv) {
        if (election.ignoresAsDisruptive(rv)) {
          // §4.2.3: a live leader is known; do not let a disruptive server (e.g. a removed one,
          // which no longer receives heartbeats) depose it.
          election.ignored(rv);
          return false;
        }
        if (rv.preVote()) {
          return true; // §9.6: a PreVote request changes no state
        }
      } else if (msg instanceof RequestVoteResponse r && r.preVote() && r.granted()) {
        return true; // a granted PreVote carries the prospective term; nothing to adopt
      }
      boolean fromLeader =
          msg instanceof AppendEntries
              || msg instanceof Heartbeat
              || msg instanceof CommitNotice
              || msg instanceof InstallSnapshot;
      m.roles.becomeFollower(msg.term(), fromLeader ? msg.from() : null);
      return true;
    }
    if (msg.term() < m.term) {
      answerStale(msg);
      return false;
    }
    return true;
  }

  /**
   * Figure 2: "Reply false if term < currentTerm"; the reply's term makes a stale sender step down.
   */
  private void answerStale(RaftMessage msg) {
    long last = m.log.lastIndex();
    if (msg instanceof AppendEntries) {
      m.sendAfterPersist(
          msg.from(), new AppendEntriesResponse(m.self, m.term, false, 0, 0, 0, last));
    } else if (msg instanceof Heartbeat hb) {
      m.sendAfterPersist(msg.from(), new HeartbeatResponse(m.self, m.term, hb.context(), last));
    } else if (msg instanceof CommitNotice) {
      // One-way, but a stale leader must learn the newer term: answer like a stale heartbeat.
      m.sendAfterPersist(msg.from(), new HeartbeatResponse(m.self, m.term, 0, last));
    } else if (msg instanceof InstallSnapshot is) {
      m.sendAfterPersist(msg.from(), new InstallSnapshotResponse(
          m.self, m.term, is.lastIncludedIndex(), is.offset(), false, false));
    } else if (msg instanceof RequestVote rv) {
      m.sendAfterPersist(msg.from(), new RequestVoteResponse(m.self, m.term, false, rv.preVote()));
    }
  }

  /** A message from the leader of the current term: (re)become its follower (§5.2). */
  private void followLeader(MemberId from) {
    Invariants.check(
        m.role != Role.LEADER,
        "%s: two leaders in term %d (%s and %s)",
        m.self,
        m.term,
        m.self,
        from);
    if (m.role != Role.FOLLOWER) {
      m.roles.becomeFollower(m.term, from);
    }
    m.leader = from;
    m.electionElapsed = 0;
  }

  @Override
  public Void onAppendEntries(AppendEntries msg) {
    followLeader(msg.from());
    follower.onAppendEntries(msg);
    return null;
  }

  @Override
  public Void onHeartbeat(Heartbeat msg) {
    followLeader(msg.from());
    follower.onHeartbeat(msg);
    return null;
  }

  @Override
  public Void onCommitNotice(CommitNotice msg) {
    followLeader(msg.from());
    follower.onCommitNotice(msg);
    return null;
  }

  @Override
  public Void onAppendEntriesResponse(AppendEntriesResponse msg) {
    if (m.role == Role.LEADER) {
      leader.onAppendEntriesResponse(msg);
    }
    return null;
  }

  @Override
  public Void onHeartbeatResponse(HeartbeatResponse msg) {
    if (m.role == Role.LEADER) {
      leader.onHeartbeatResponse(msg);
    }
    return null;
  }

  @Override
  public Void onRequestVote(RequestVote msg) {
    election.onRequestVote(msg);
    return null;
  }

  @Override
  public Void onRequestVoteResponse(RequestVoteResponse msg) {
    election.onRequestVoteResponse(msg);
    return null;
  }

  @Override
  public Void onTimeoutNow(TimeoutNow msg) {
    // §3.10: the leader asked us to take over: start a real election at once, skipping PreVote.
    if (m.role != Role.LEADER && m.configTracker.promotable()) {
      election.campaign(false, true);
    }
    return null;
  }

  @Override
  public Void onInstallSnapshot(InstallSnapshot msg) {
    followLeader(msg.from()); // a long transfer is leader activity: no election meanwhile
    snapshots.onInstallSnapshot(msg);
    return null;
  }

  @Override
  public Void onInstallSnapshotResponse(InstallSnapshotResponse msg) {
    if (m.role == Role.LEADER) {
      snapshots.onInstallSnapshotResponse(msg, leader);
    }
    return null;
  }

  @Override
  public Void onChangeRequest(ChangeRequest msg) {
    return null; // forwarded membership requests are the runtime's business, not the protocol's
  }

  @Override
  public Void onChangeResponse(ChangeResponse msg) {
    return null;
  }
}
