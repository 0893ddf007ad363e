package io.graft.raft.api.metrics;

import io.graft.raft.api.MemberId;
import java.util.List;

/**
 * Snapshot transfers of one member since it started ({@code RaftNode.snapshotMetrics()}): what it
 * streamed to members behind its compacted log (for the Neo4j plugin, a store copy) and what it
 * received and handed to the state machine to install.
 *
 * @param sendsStarted transfers started (a resumed one counts once)
 * @param sendsCompleted transfers whose every byte the receiver acknowledged (it installs next)
 * @param bytesSent snapshot bytes sent in chunks, resends included
 * @param received complete, verified snapshots received and handed over for install
 * @param bytesReceived snapshot bytes received and written, in order
 * @param chunksRefused chunks refused for a bad checksum or offset (asked again)
 * @param transfers the transfers in progress on this member and how far each got
 */
public record SnapshotMetrics(
    long sendsStarted,
    long sendsCompleted,
    long bytesSent,
    long received,
    long bytesReceived,
    long chunksRefused,
    List<Transfer> transfers) {

  /** A member that keeps no snapshot metrics (no snapshot support, or a test double). */
  public static final SnapshotMetrics EMPTY = new SnapshotMetrics(0, 0, 0, 0, 0, 0, List.of());

  public SnapshotMetrics {
    transfers = List.copyOf(transfers);
  }

  /** One snapshot being streamed to {@code to}: bytes it acknowledged of the total. */
  public record Transfer(MemberId to, long index, long bytesAcked, long bytesTotal) {}
}
