package io.graft.plugin.http;

import io.graft.procedures.MemberRow;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.metrics.Histogram;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.metrics.ConnectionMetrics;
import io.graft.raft.api.metrics.RaftMetrics;
import io.graft.raft.api.metrics.SnapshotMetrics;
import java.util.List;
import java.util.Map;

/** Member states for the http tests: a three-member cluster seen from one member. */
final class States {
  static final List<String> VOTERS = List.of("a:7000", "b:7000", "c:7000");

  private States() {}

  static StatusRow row(String self, String role, String leader, long commit, long applied) {
    return new StatusRow(self, self, self.replace(":7000", ":7687"), role, 3, leader,
        leader == null ? null : leader.replace(":7000", ":7687"), commit, applied, commit, 40,
        VOTERS);
  }

  static List<MemberRow> members(boolean leaderView) {
    return List.of(
        new MemberRow("a:7000", "a:7000", "a:7687", "LEADER", true, 100, 0, 0),
        new MemberRow("b:7000", "b:7000", "b:7687", "FOLLOWER", true,
            leaderView ? 97 : -1, leaderView ? 3 : -1, leaderView ? 40 : -1),
        new MemberRow("c:7000", "c:7000", "c:7687", "FOLLOWER", true,
            leaderView ? 100 : -1, leaderView ? 0 : -1, leaderView ? 35 : -1));
  }

  static MemberState leader(boolean leaseApplied) {
    return new MemberState("neo4j", row("a:7000", "LEADER", "a:7000", 100, 100), members(true),
        leaseApplied, null, true, false, "http://a:7474",
        Map.of("b:7000", "http://b:7474", "c:7000", "http://c:7474"),
        List.of(new RaftEvent(1000, 3, "LEADER", "a:7000")), 2, metrics(),
        new SnapshotMetrics(2, 1, 3_000_000, 0, 0, 1, List.of(new SnapshotMetrics.Transfer(
            MemberId.of("c:7000"), 90, 1_000_000, 4_000_000))),
        new ConnectionMetrics(Map.of("cluster_id/self", 3L, "reset_member/peer", 1L), 5, 0, 2, 2,
            "cluster id 'x' does not match"));
  }

  /** A leader's metrics: 7 proposals, 4 fsyncs of 10 entries, two fsync and commit latencies. */
  static RaftMetrics metrics() {
    Histogram fsync = new Histogram();
    fsync.recordNanos(300_000);
    fsync.recordNanos(2_000_000_000L);
    Histogram committed = new Histogram();
    committed.recordNanos(1_000_000);
    committed.recordNanos(4_000_000);
    return new RaftMetrics(3, 7, 2, 3, 2, 4, 10, fsync.snapshot(),
        Map.of(LeaderStage.COMMITTED, committed.snapshot()));
  }

  static MemberState follower(String leader, long commit, long applied) {
    return new MemberState("neo4j", row("b:7000", "FOLLOWER", leader, commit, applied),
        members(false), false, null, true, false, "http://b:7474",
        Map.of("a:7000", "http://a:7474"), List.of(), 1, RaftMetrics.EMPTY,
        SnapshotMetrics.EMPTY, ConnectionMetrics.EMPTY);
  }

  static MemberState panicked() {
    MemberState f = follower("a:7000", 100, 100);
    return new MemberState(f.database(), f.status(), f.members(), false,
        "java.io.IOException: disk on fire", true, false, f.selfHttp(), f.httpAddresses(),
        f.events(), f.leaderChanges(), f.raft(), f.snapshots(), f.connections());
  }
}
