package io.graft.plugin.http;

import io.graft.procedures.MemberRow;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.metrics.HistogramSnapshot;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.api.metrics.ConnectionMetrics;
import io.graft.raft.api.metrics.RaftMetrics;
import io.graft.raft.api.metrics.SnapshotMetrics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    raft(s.raft(), out);
    snapshots(s.snapshots(), out);
    connections(s.connections(), out);
    followers(s, out);
  }

  /** Refused Raft connections by reason ({@code by}: self = this member refused), and the rest. */
  private static void connections(ConnectionMetrics m, MetricFamilies out) {
    for (Map.Entry<String, Long> e : new TreeMap<>(m.refusedByReason()).entrySet()) {
      int slash = e.getKey().lastIndexOf('/');
      String reason = slash < 0 ? e.getKey() : e.getKey().substring(0, slash);
      String by = slash < 0 ? "self" : e.getKey().substring(slash + 1);
      out.counter("graft_raft_refused_connections", "Raft connection handshakes refused, by"
          + " reason (cluster_id, protocol_version, own_id, wrong_member, reset_member,"
          + " no_identity, other) and by whom (self: this member refused the peer; peer: the"
          + " peer refused this member)", e.getValue(), "reason", reason, "by", by);
    }
    out.counter("graft_raft_transport_reconnects",
        "Outbound Raft connection attempts after the first one to a peer", m.reconnects());
    out.counter("graft_raft_transport_bad_frames",
        "Raft connections closed for a malformed, oversized or corrupt frame", m.badFrames());
    out.counter("graft_raft_transport_dropped_messages",
        "Raft messages dropped because a peer's bounded outbound queue was full",
        m.outboundDropped());
    out.gauge("graft_raft_transport_connected_peers",
        "Peers with an established outbound Raft connection", m.connectedPeers());
  }

  /** Snapshot (for Neo4j: store-copy) transfers, and how far each one in progress got. */
  private static void snapshots(SnapshotMetrics m, MetricFamilies out) {
    out.counter("graft_raft_snapshot_sends_started",
        "Snapshot transfers this member started to members behind its compacted log",
        m.sendsStarted());
    out.counter("graft_raft_snapshot_sends_completed",
        "Snapshot transfers whose every byte the receiver acknowledged", m.sendsCompleted());
    out.counter("graft_raft_snapshot_sent_bytes", "Snapshot bytes sent, resends included",
        m.bytesSent());
    out.counter("graft_raft_snapshots_received",
        "Complete, verified snapshots received and handed over for install", m.received());
    out.counter("graft_raft_snapshot_received_bytes", "Snapshot bytes received and written",
        m.bytesReceived());
    out.counter("graft_raft_snapshot_chunks_refused",
        "Snapshot chunks refused for a bad checksum or offset (asked again)", m.chunksRefused());
    for (SnapshotMetrics.Transfer t : m.transfers()) {
      String to = t.to().value();
      out.gauge("graft_raft_snapshot_transfer_acked_bytes", "Store-copy progress: bytes the"
          + " receiver acknowledged, per transfer in progress", t.bytesAcked(), "member", to);
      out.gauge("graft_raft_snapshot_transfer_total_bytes", "Store-copy progress: size of the"
          + " snapshot being sent, per transfer in progress", t.bytesTotal(), "member", to);
    }
  }

  /**
   * Bucket bounds exported for the latency histograms, in seconds: 1, 2.5 and 5 per decade from
   * 100 µs to 10 s, each exactly one of core-raft's finer log-scale bounds (10 per decade), so
   * the cumulative counts are exact while each histogram stays at 19 series.
   */
  static final double[] EXPORTED_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
      0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, Double.POSITIVE_INFINITY};

  /** core-raft's own counters and histograms ({@code RaftNode.metrics()}). */
  private static void raft(RaftMetrics m, MetricFamilies out) {
    out.counter("graft_raft_proposals", "Entries proposed on this member while it led",
        m.proposals());
    out.counter("graft_raft_elections_started",
        "Elections this member started (it became a candidate)", m.electionsStarted());
    out.counter("graft_raft_prevotes_started",
        "PreVote rounds this member started (thesis 9.6)", m.preVotesStarted());
    out.counter("graft_raft_leader_changes",
        "Times the leader this member knows changed, the first one included", m.leaderChanges());
    out.counter("graft_raft_log_fsyncs", "Data fsyncs of the Raft log (group commit: each covers"
        + " every write before it)", m.fsyncs());
    out.counter("graft_raft_log_entries_persisted",
        "Log entries written and covered by those fsyncs", m.entriesPersisted());
    out.gauge("graft_raft_log_entries_per_fsync",
        "Mean entries per Raft log fsync since start (rate(entries_persisted)/rate(fsyncs) for"
        + " a window)", m.entriesPerFsync());
    histogram(out, "graft_raft_log_fsync_duration_seconds", "Duration of each Raft log fsync",
        m.fsyncLatency());
    for (LeaderStage stage : LeaderStage.values()) {
      histogram(out, "graft_raft_write_latency_seconds", "Per entry proposed on this member while"
          + " it led: time from propose to the stage (committed = commit latency)",
          m.stage(stage), "stage", stage.metricName());
    }
  }

  /** A core-raft histogram with {@link #EXPORTED_BOUNDS} (per-bucket counts, as the model wants). */
  static void histogram(MetricFamilies out, String name, String help, HistogramSnapshot h,
      String... labels) {
    long[] counts = new long[EXPORTED_BOUNDS.length];
    long previous = 0;
    for (int b = 0; b < EXPORTED_BOUNDS.length; b++) {
      long cumulative = cumulativeAt(h, EXPORTED_BOUNDS[b]);
      counts[b] = cumulative - previous;
      previous = cumulative;
    }
    out.histogram(name, help, EXPORTED_BOUNDS.clone(), counts, h.sumSeconds(), labels);
  }

  /** Observations at or below {@code bound}, which must be one of core-raft's bucket bounds. */
  static long cumulativeAt(HistogramSnapshot h, double bound) {
    if (Double.isInfinite(bound)) {
      return h.count();
    }
    for (int i = 0; i < HistogramSnapshot.bucketCount(); i++) {
      double upper = HistogramSnapshot.upperBoundSeconds(i);
      if (!Double.isInfinite(upper) && Math.abs(upper - bound) <= bound * 1e-9) {
        return h.cumulativeCount(i);
      }
    }
    throw new IllegalStateException(bound + " s is not a bucket bound of core-raft's histogram");
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
