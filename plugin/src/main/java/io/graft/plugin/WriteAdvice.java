package io.graft.plugin;

import io.graft.procedures.StatusRow;

/**
 * The second half of the NotALeader message a client gets for a write on a member that may not
 * write: where to write instead. With a majority of the voters down no leader can exist (an
 * election needs a majority of votes, §5.2, and a leader that loses contact with a majority steps
 * down, CheckQuorum, thesis §6.2), and "send writes to the leader" would send the user looking
 * for one, so that case says so.
 */
final class WriteAdvice {
  private WriteAdvice() {}

  static String of(StatusRow status) {
    return of(status, null);
  }

  /**
   * @param stoppedBecause why graft stopped on this member after a fatal error, or null while it
   *     runs: such a member follows no leader and would otherwise be described as one that lost
   *     its majority
   */
  static String of(StatusRow status, String stoppedBecause) {
    if (stoppedBecause != null) {
      return "graft stopped on this member after a fatal error (" + stoppedBecause + "): it takes"
          + " no writes and no longer follows the cluster. The other members go on with their own"
          + " leader while a majority of them is up (a neo4j:// driver finds it). Fix the cause"
          + " (a full disk: free space) and restart this server.";
    }
    String leader = status.leaderId();
    if (leader == null || leader.isEmpty()) {
      int voters = status.votingMembers().size();
      return String.format("No leader is known right now: an election is running, or this member"
          + " cannot reach a majority of the %d voting members (writes need %d of them up)."
          + " Reads still work here; writes resume once a leader is elected (see CALL"
          + " raft.status()).", voters, voters / 2 + 1);
    }
    if (leader.equals(status.memberId())) {
      return "This member is the leader but its leader lease is not applied yet (it was just"
          + " elected, or renews its lease after a write whose outcome is unknown); retry in a"
          + " moment.";
    }
    String bolt = status.leaderBoltAddress();
    return String.format("The leader is %s (Bolt %s); a neo4j:// driver routes writes there.",
        leader, bolt == null ? "address unknown" : bolt);
  }
}
