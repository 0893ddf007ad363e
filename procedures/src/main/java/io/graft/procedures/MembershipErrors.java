package io.graft.procedures;

import io.graft.raft.api.MembershipChangeException;
import io.graft.raft.api.RaftShutdownException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.neo4j.internal.kernel.api.exceptions.ProcedureException;
import org.neo4j.kernel.api.exceptions.Status;

/**
 * Every way a membership procedure can fail, as a message that says what happened and what to do.
 * One place, so the messages are the documented contract (README, procedures table) and tests can
 * check each of them.
 */
public final class MembershipErrors {
  private MembershipErrors() {}

  /** The argument is not a usable {@code host:port} Raft address. */
  public static ProcedureException malformedAddress(String procedure, String value, String why) {
    return failed("%s: '%s' is not a Raft address (%s); expected host:port as in "
        + "server.raft.advertised_address of that server, e.g. 10.0.0.4:7000", procedure, value, why);
  }

  /** No member has that id or address. */
  public static ProcedureException unknownMember(String procedure, String value, List<String> known) {
    return failed("%s: '%s' is not a member of this cluster; members are %s (see CALL "
        + "raft.members())", procedure, value, known);
  }

  /** The core said no, for a {@link MembershipChangeException.Reason}. */
  public static ProcedureException refused(
      String procedure, String target, MembershipChangeException e, Function<String, String> bolt) {
    String detail = " [" + e.reason() + ": " + e.getMessage() + "]";
    switch (e.reason()) {
      case NOT_LEADER:
        return notLeader(procedure, e, bolt, detail);
      case CHANGE_IN_PROGRESS:
        return failed("%s %s: another membership change or leadership transfer is still in "
            + "progress; wait until CALL raft.members() shows it finished, then retry%s",
            procedure, target, detail);
      case UNKNOWN_MEMBER:
        return failed("%s %s: not a member of this cluster (see CALL raft.members())%s",
            procedure, target, detail);
      case ALREADY_MEMBER:
        return failed("%s %s: already a voting member; nothing changed%s", procedure, target,
            detail);
      case WOULD_BREAK_QUORUM:
        return failed("%s %s: refused, the remaining voters could not form a majority (or none "
            + "would be left); add or restart members first%s", procedure, target, detail);
      case NOT_CAUGHT_UP:
        return failed("%s %s: it did not catch up with the leader in time, so it was not made a "
            + "voter and was taken out again; check that it is not overloaded and that its "
            + "network is fast enough, then retry%s", procedure, target, detail);
      case UNREACHABLE:
        return failed("%s %s: could not be reached; start it with server.raft.enabled=true and "
            + "server.raft.advertised_address=%s, check the port is open, then retry; nothing "
            + "changed%s", procedure, target, target, detail);
      case TIMED_OUT:
        return failed("%s %s: proposed but not committed in time; it may still take effect, "
            + "check CALL raft.members()%s", procedure, target, detail);
      case INVALID_TARGET:
        return failed("%s %s: cannot take over leadership; the target must be a voting member "
            + "that is caught up (see lag in CALL raft.members()); nothing changed%s", procedure,
            target, detail);
      default:
        return failed("%s %s: refused%s", procedure, target, detail);
    }
  }

  private static ProcedureException notLeader(
      String procedure, MembershipChangeException e, Function<String, String> bolt, String detail) {
    if (e.leaderHint() == null) {
      return new ProcedureException(Status.Cluster.NotALeader, String.format(
          "%s: no leader is known right now (an election is probably running); retry in a "
              + "moment%s", procedure, detail));
    }
    String leader = e.leaderHint().value();
    String leaderBolt = bolt.apply(leader);
    return new ProcedureException(Status.Cluster.NotALeader, String.format(
        "%s: this member is not the leader; call it on the leader %s (Bolt %s)%s", procedure,
        leader, leaderBolt == null ? "unknown" : leaderBolt, detail));
  }

  /** Anything else the future failed with, or the wait bound. */
  public static ProcedureException other(String procedure, String target, Throwable cause,
      Duration waited) {
    if (cause instanceof TimeoutException) {
      return failed("%s %s: not finished after %d s; it may still complete, check CALL "
          + "raft.members()", procedure, target, waited.toSeconds());
    }
    if (cause instanceof RaftShutdownException) {
      return failed("%s %s: the replicated database is stopping on this member", procedure,
          target);
    }
    if (cause instanceof UnsupportedOperationException) {
      return failed("%s: not supported by this build of graft (%s)", procedure,
          cause.getMessage());
    }
    return new ProcedureException(Status.Procedure.ProcedureCallFailed, cause,
        "%s %s failed: %s", procedure, target, cause);
  }

  private static ProcedureException failed(String format, Object... args) {
    return new ProcedureException(Status.Procedure.ProcedureCallFailed, format, args);
  }
}
