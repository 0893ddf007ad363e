package io.graft.plugin.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The health answers of one member, with Neo4j Enterprise's meaning of the cluster endpoints
 * ({@code /db/<db>/cluster/writable|read-only|available}), decided from a {@link MemberState}:
 *
 * <ul>
 *   <li><b>healthy</b>: the replicated database runs, Neo4j has not panicked it, and its
 *       availability guard lets transactions in;
 *   <li><b>participating</b>: a voter or learner of the current configuration that knows a
 *       leader (a candidate, a removed member or one that lost its majority does not);
 *   <li><b>available</b>: healthy, participating, and its applied index is within {@code
 *       maxApplyLag} entries of the commit index it knows (a member catching up, or installing a
 *       snapshot, serves reads that are too old);
 *   <li><b>writable</b>: available, the leader, and its own leader lease is applied (before that
 *       it refuses writes, ARCHITECTURE §2 decision 4);
 *   <li><b>read-only</b>: available and not the leader (a follower or a learner).
 * </ul>
 *
 * @param problems why this member is not available (empty when it is), for operators
 */
public record MemberHealth(
    boolean healthy,
    boolean participating,
    boolean available,
    boolean writable,
    boolean readOnly,
    long applyLag,
    List<String> problems) {

  public MemberHealth {
    problems = List.copyOf(problems);
  }

  public static MemberHealth of(MemberState s, long maxApplyLag) {
    List<String> problems = new ArrayList<>();
    if (!s.running()) {
      problems.add("the replicated database '" + s.database() + "' is not running here");
      return new MemberHealth(false, false, false, false, false, -1, problems);
    }
    if (s.panic() != null) {
      problems.add("Neo4j panicked the database: " + s.panic());
    }
    if (!s.databaseAvailable()) {
      problems.add("the database is not available (starting, stopping or installing a snapshot)");
    }
    boolean healthy = s.panic() == null && s.databaseAvailable();
    String role = s.status().role();
    String leader = s.status().leaderId();
    boolean member = "LEADER".equals(role) || "FOLLOWER".equals(role) || "LEARNER".equals(role);
    if (!member) {
      problems.add("role " + role + " (not a working member of the cluster)");
    }
    if (leader == null || leader.isEmpty()) {
      problems.add("no leader known (an election is running, or a majority is unreachable)");
    }
    boolean participating = member && leader != null && !leader.isEmpty();
    long lag = Math.max(0, s.status().commitIndex() - s.status().appliedIndex());
    if (lag > maxApplyLag) {
      problems.add("applied index " + s.status().appliedIndex() + " is " + lag
          + " entries behind the commit index (more than " + maxApplyLag + ")");
    }
    boolean available = healthy && participating && lag <= maxApplyLag;
    boolean leading = "LEADER".equals(role);
    boolean writable = available && leading && s.leaseApplied();
    return new MemberHealth(healthy, participating, available, writable, available && !leading,
        lag, problems);
  }
}
