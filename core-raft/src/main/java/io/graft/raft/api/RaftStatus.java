package io.graft.raft.api;

import java.util.List;

/**
 * An immutable snapshot of one member's view.
 *
 * @param leader the leader this member believes in, or null
 * @param members one row per member of the current configuration (voters, then learners); match
 *     index, lag and last contact are only known on the leader (-1 elsewhere)
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
   * @param role LEADER, FOLLOWER (voters), LEARNER (non-voting), or CANDIDATE/PRE_CANDIDATE for
   *     this member's own row
   * @param voting whether its vote counts (voters)
   * @param matchIndex highest index known replicated on that member (leader's view), -1 if unknown
   * @param lastContactMillis milliseconds since the leader last heard from it, -1 if unknown
   * @param lag the leader's last index minus {@code matchIndex} (leader's view), -1 if unknown
   */
  public record MemberStatus(
      MemberId id, Role role, boolean voting, long matchIndex, long lastContactMillis, long lag) {

    /** Without a lag (unknown, -1): the original five-field form. */
    public MemberStatus(
        MemberId id, Role role, boolean voting, long matchIndex, long lastContactMillis) {
      this(id, role, voting, matchIndex, lastContactMillis, -1);
    }
  }

  /** The row of {@code member}, or null if it is not in this member's configuration. */
  public MemberStatus member(MemberId member) {
    for (MemberStatus row : members) {
      if (row.id().equals(member)) {
        return row;
      }
    }
    return null;
  }

  public boolean isLeader() {
    return role == Role.LEADER;
  }
}
