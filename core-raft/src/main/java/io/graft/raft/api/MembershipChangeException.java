package io.graft.raft.api;

/**
 * A membership change or leadership transfer was refused or did not complete. The {@link Reason}
 * says what a user can do about it; the message names the member and the numbers involved.
 * Nothing was changed unless the reason says otherwise ({@link Reason#TIMED_OUT}: the change may
 * still commit; read {@link RaftNode#status()} to see the outcome).
 */
public class MembershipChangeException extends RaftException {

  /** Why a change was refused. Names are part of the user's contract (error messages). */
  public enum Reason {
    /** This member is not the leader; {@link #leaderHint()} names the one it believes in. */
    NOT_LEADER,
    /** Another membership change (or a leadership transfer) has not finished yet. */
    CHANGE_IN_PROGRESS,
    /** The member is not part of the configuration. */
    UNKNOWN_MEMBER,
    /** The member is already a voter (adding) . */
    ALREADY_MEMBER,
    /** Removing it would leave no voter, or would make the remaining voters unable to commit. */
    WOULD_BREAK_QUORUM,
    /** A learner did not catch up: a round did not finish within an election timeout in time. */
    NOT_CAUGHT_UP,
    /** The member could not be reached at all. */
    UNREACHABLE,
    /** The change was proposed but not committed within the deadline; it may still commit. */
    TIMED_OUT,
    /** The target of a transfer is not a voter or too far behind. */
    INVALID_TARGET,
    /** forceNewCluster: a leader is known (or this member leads); the cluster is alive. */
    LEADER_KNOWN,
    /** forceNewCluster: a majority of voters was heard from recently (or it cannot tell yet). */
    QUORUM_REACHABLE,
    /** forceNewCluster: this member is not a voter of its configuration. */
    NOT_A_VOTER
  }

  private final Reason reason;
  private final MemberId leaderHint;

  public MembershipChangeException(Reason reason, String message) {
    this(reason, message, null);
  }

  public MembershipChangeException(Reason reason, String message, MemberId leaderHint) {
    super(message);
    this.reason = reason;
    this.leaderHint = leaderHint;
  }

  public Reason reason() {
    return reason;
  }

  /** The leader this member believes in, for {@link Reason#NOT_LEADER}; may be null. */
  public MemberId leaderHint() {
    return leaderHint;
  }
}
