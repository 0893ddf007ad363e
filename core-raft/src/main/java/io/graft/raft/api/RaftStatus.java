package io.graft.raft.api;

import java.util.List;

/**
 * An immutable snapshot of one member's view.
 *
 * @param leader the leader this member believes in, or null
 * @param members one row per member of the current configuration; match index and last contact are
 *     only known on the leader (-1 elsewhere)
 */
public record RaftStatus(
    MemberId self,
    Role role,
    long term,
    MemberId leader,
    long commitIndex,
    long appliedIndex,
    long lastLogIndex,
    List<MemberStatus> members) {

  /**
   * @param matchIndex highest index known replicated on that member (leader's view), -1 if unknown
   * @param lastContactMillis milliseconds since the leader last heard from it, -1 if unknown
   */
  public record MemberStatus(
      MemberId id, Role role, boolean voting, long matchIndex, long lastContactMillis) {}

  public boolean isLeader() {
    return role == Role.LEADER;
  }
}
