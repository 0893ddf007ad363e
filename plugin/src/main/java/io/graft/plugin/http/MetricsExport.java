package io.graft.plugin.http;

import io.graft.procedures.MemberRow;
import io.graft.procedures.StatusRow;
import java.util.List;

/**
 * The {@code graft_raft_*} families read from a member's state: role, term, indexes, health, and
 * the leader's view of every follower. Every per-member family is present on every scrape (a
 * member whose database is not running reports zeros and {@code graft_raft_up 0}), so alerts
 * never see a series vanish; only the per-follower families exist on the leader alone.
 */
final class MetricsExport {
  static final List<String> ROLES = List.of("LEADER", "FOLLOWER", "CANDIDATE", "LEARNER",
      "REMOVED");

  private MetricsExport() {}

  static void collect(MemberState s, MemberHealth h, MetricFamilies out) {
    StatusRow r = s.status();
    boolean running = r != null;
    out.gauge("graft_raft_up", "1 while the replicated database runs on this member",
        running ? 1 : 0);
    out.gauge("graft_raft_is_leader", "1 on the leader, else 0",
        running && "LEADER".equals(r.role()) ? 1 : 0);
    for (String role : ROLES) {
      out.gauge("graft_raft_role", "1 for this member's current Raft role, 0 for the others",
          running && role.equals(r.role()) ? 1 : 0, "role", role);
    }
    out.gauge("graft_raft_term", "Current Raft term", running ? r.term() : 0);
    out.gauge("graft_raft_leader_known", "1 when this member knows a leader",
        running && r.leaderId() != null ? 1 : 0);
    out.gauge("graft_raft_commit_index", "Highest log index known committed",
        running ? r.commitIndex() : 0);
    out.gauge("graft_raft_applied_index", "Highest log index applied to the graph",
        running ? r.appliedIndex() : 0);
    out.gauge("graft_raft_last_log_index", "Index of the last entry in this member's log",
        running ? r.lastLogIndex() : 0);
    out.gauge("graft_raft_last_tx_id", "Last Neo4j transaction id committed on this member",
        running ? r.lastTxId() : 0);
    out.gauge("graft_raft_apply_lag_entries", "Commit index minus applied index on this member",
        Math.max(0, h.applyLag()));
    out.gauge("graft_raft_voting_members", "Voters in this member's configuration",
        running ? r.votingMembers().size() : 0);
    out.gauge("graft_raft_membership_change_in_flight",
        "1 while a configuration change is appended but not committed",
        s.membershipChangeInFlight() ? 1 : 0);
    out.gauge("graft_raft_healthy", "1 unless the database is down or panicked",
        h.healthy() ? 1 : 0);
    out.gauge("graft_raft_available", "What /db/<db>/cluster/available answers (1 = 200)",
        h.available() ? 1 : 0);
    out.gauge("graft_raft_writable", "What /db/<db>/cluster/writable answers (1 = 200)",
        h.writable() ? 1 : 0);
    out.counter("graft_raft_leader_changes_observed",
        "Times this member saw a new leader since it started", s.leaderChanges());
    followers(s, out);
  }

  /** Match index, lag and last contact of each member, as the leader sees them. */
  private static void followers(MemberState s, MetricFamilies out) {
    String help = " (leader only; other members export no series)";
    boolean leader = s.running() && "LEADER".equals(s.status().role());
    if (!leader) {
      return;
    }
    for (MemberRow m : s.members()) {
      if (m.memberId().equals(s.status().memberId())) {
        continue;
      }
      out.gauge("graft_raft_follower_match_index",
          "Highest index known replicated on the member" + help, m.matchIndex(),
          "member", m.memberId(), "role", m.role());
      out.gauge("graft_raft_follower_lag_entries",
          "Leader's last index minus the member's match index" + help, m.lag(),
          "member", m.memberId(), "role", m.role());
      out.gauge("graft_raft_follower_last_contact_seconds",
          "Seconds since the leader last heard from the member" + help,
          m.lastContactMillis() < 0 ? -1 : m.lastContactMillis() / 1000.0,
          "member", m.memberId(), "role", m.role());
    }
  }
}
