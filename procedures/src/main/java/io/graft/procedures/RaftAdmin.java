package io.graft.procedures;

import io.graft.raft.api.RaftNode;
import io.graft.raft.api.metrics.HistogramSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The small admin surface the plugin exposes to the procedures. The reads are cheap; membership
 * changes go straight to the Raft member ({@link #raft()}), whose answers the procedures map.
 */
public interface RaftAdmin {
  StatusRow status();

  List<MemberRow> members();

  /** Raft index applied to the graph right now. */
  long appliedIndex();

  /** The Raft member of the replicated database, for membership changes and transfers. */
  RaftNode raft();

  /** Bolt address of a member, or null when unknown (for messages naming the leader). */
  String boltAddressOf(String memberId);

  /** How long a procedure waits for a change to finish before it reports "may still complete". */
  Duration changeTimeout();

  /**
   * Every latency histogram of this member, by stage name, in timeline order ({@code
   * raft.latency()}): the write stages from core-raft's and the Neo4j side's, then the durability
   * operations (Raft log fsync, Neo4j log force). Default: none.
   */
  default Map<String, HistogramSnapshot> latencies() {
    return Map.of();
  }

  /**
   * {@code raft.backup}: a consistent copy of the replicated database (and this member's system
   * database) at one applied index, taken while writes continue, into {@code directory}, which
   * must not exist or be empty; with {@code dump}, also a {@code <db>.dump} by Neo4j's dumper.
   *
   * @throws IllegalArgumentException the directory is refused (the message says why); nothing
   *     was written
   */
  default BackupRow backup(String directory, boolean dump) throws Exception {
    throw new UnsupportedOperationException("raft.backup is not supported here");
  }
}
