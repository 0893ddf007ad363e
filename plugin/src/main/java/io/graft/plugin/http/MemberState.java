package io.graft.plugin.http;

import io.graft.procedures.MemberRow;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.metrics.ConnectionMetrics;
import io.graft.raft.api.metrics.RaftMetrics;
import io.graft.raft.api.metrics.SnapshotMetrics;
import java.util.List;
import java.util.Map;

/**
 * What one member knows about itself and the cluster at one moment, as the health endpoints, the
 * status document and the metrics read it. Built by the plugin from the running database's Raft
 * member, write gate and Neo4j health; {@link #notRunning} while the replicated database is down.
 *
 * @param database the replicated database ({@code server.raft.database})
 * @param status this member's {@code raft.status()} row; null when not running
 * @param members this member's {@code raft.members()} rows (match index, lag and last contact
 *     are only known on the leader)
 * @param leaseApplied this member holds the applied leader lease: its write gate is open
 * @param panic why Neo4j panicked the database (DatabaseHealth), or null when it did not
 * @param databaseAvailable Neo4j's availability guard says the database serves transactions
 * @param membershipChangeInFlight the newest configuration is appended but not committed yet
 * @param selfHttp this member's HTTP base URL, or null
 * @param httpAddresses other members' HTTP base URLs as they announced them, by member id
 * @param events recent role/leader/term changes seen by this member, oldest first
 * @param leaderChanges leader changes this member has seen since it started
 * @param raft the Raft member's own metrics ({@code RaftNode.metrics()}): counters, fsync and
 *     per-stage write latency histograms
 * @param snapshots snapshot (store-copy) transfers: counters and those in progress
 * @param connections the Raft transport: refused connections by reason, reconnects, drops
 */
public record MemberState(
    String database,
    StatusRow status,
    List<MemberRow> members,
    boolean leaseApplied,
    String panic,
    boolean databaseAvailable,
    boolean membershipChangeInFlight,
    String selfHttp,
    Map<String, String> httpAddresses,
    List<RaftEvent> events,
    long leaderChanges,
    RaftMetrics raft,
    SnapshotMetrics snapshots,
    ConnectionMetrics connections) {

  public MemberState {
    members = List.copyOf(members);
    httpAddresses = Map.copyOf(httpAddresses);
    events = List.copyOf(events);
    raft = raft == null ? RaftMetrics.EMPTY : raft;
    snapshots = snapshots == null ? SnapshotMetrics.EMPTY : snapshots;
    connections = connections == null ? ConnectionMetrics.EMPTY : connections;
  }

  /** The replicated database is not started on this member (starting, stopped or failed). */
  public static MemberState notRunning(String database, String selfHttp) {
    return new MemberState(database, null, List.of(), false, null, false, false, selfHttp,
        Map.of(), List.of(), 0, RaftMetrics.EMPTY, SnapshotMetrics.EMPTY,
        ConnectionMetrics.EMPTY);
  }

  public boolean running() {
    return status != null;
  }
}
