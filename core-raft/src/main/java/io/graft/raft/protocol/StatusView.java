package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.membership.Configuration;
import io.graft.raft.protocol.progress.Progress;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link RaftStatus} of a machine: one row per member of its latest configuration,
 * voters then learners. Only the leader knows match indexes, lag and last contact (its own row:
 * durable last index, contact 0); elsewhere they are -1. A member reports itself as LEARNER while
 * it is a non-voting follower.
 */
final class StatusView {
  private StatusView() {}

  static RaftStatus of(RaftMachine m, long appliedIndex, long tickMillis) {
    Configuration c = m.configuration;
    List<RaftStatus.MemberStatus> rows = new ArrayList<>();
    for (MemberId id : c.voters()) {
      rows.add(row(m, id, true, tickMillis));
    }
    for (MemberId id : c.learners()) {
      rows.add(row(m, id, false, tickMillis));
    }
    return new RaftStatus(
        m.self,
        selfRole(m),
        m.term,
        m.leader,
        m.log.commitIndex(),
        appliedIndex,
        m.log.lastIndex(),
        rows);
  }

  private static Role selfRole(RaftMachine m) {
    if (m.role == Role.FOLLOWER && m.configuration.isLearner(m.self)) {
      return Role.LEARNER;
    }
    return m.role;
  }

  private static RaftStatus.MemberStatus row(
      RaftMachine m, MemberId id, boolean voting, long tickMillis) {
    boolean isSelf = id.equals(m.self);
    Role rowRole;
    if (isSelf) {
      rowRole = selfRole(m);
    } else if (!voting) {
      rowRole = Role.LEARNER;
    } else {
      rowRole = id.equals(m.leader) ? Role.LEADER : Role.FOLLOWER;
    }
    long match = -1;
    long contactMillis = -1;
    long lag = -1;
    Progress pr = m.progress.get(id);
    if (m.role == Role.LEADER && (isSelf || pr != null)) {
      match = isSelf ? m.log.persistedIndex() : pr.matchIndex();
      long lastTick = isSelf ? m.tickCount : pr.lastContactTick();
      contactMillis = lastTick < 0 ? -1 : (m.tickCount - lastTick) * tickMillis;
      lag = m.log.lastIndex() - match;
    }
    return new RaftStatus.MemberStatus(id, rowRole, voting, match, contactMillis, lag);
  }
}
