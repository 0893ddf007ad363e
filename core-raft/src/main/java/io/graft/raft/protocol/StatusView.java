package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.progress.Progress;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link RaftStatus} of a machine: one row per voter. Only the leader knows match
 * indexes and last contact (its own row: durable last index, contact 0); elsewhere they are -1.
 */
final class StatusView {
  private StatusView() {}

  static RaftStatus of(RaftMachine m, long appliedIndex, long tickMillis) {
    List<RaftStatus.MemberStatus> rows = new ArrayList<>();
    for (MemberId id : m.configuration.voters()) {
      boolean isSelf = id.equals(m.self);
      Role rowRole = isSelf ? m.role : id.equals(m.leader) ? Role.LEADER : Role.FOLLOWER;
      long match = -1;
      long contactMillis = -1;
      if (m.role == Role.LEADER) {
        Progress pr = m.progress.get(id);
        match = isSelf ? m.log.persistedIndex() : pr.matchIndex();
        long lastTick = isSelf ? m.tickCount : pr.lastContactTick();
        contactMillis = lastTick < 0 ? -1 : (m.tickCount - lastTick) * tickMillis;
      }
      rows.add(new RaftStatus.MemberStatus(id, rowRole, true, match, contactMillis));
    }
    return new RaftStatus(
        m.self, m.role, m.term, m.leader, m.log.commitIndex(), appliedIndex, m.log.lastIndex(), rows);
  }
}
