package io.graft.raft.api.metrics;

import java.util.Map;

/**
 * The Raft transport of one member since it started ({@code RaftNode.connectionMetrics()}).
 *
 * @param refusedByReason refused connection handshakes by kind of reason and by who refused:
 *     keys {@code "<kind>/self"} (this member refused the peer) or {@code "<kind>/peer"} (the
 *     peer refused this member); kinds {@code cluster_id}, {@code protocol_version}, {@code
 *     own_id}, {@code wrong_member}, {@code reset_member}, {@code no_identity}, {@code other}
 * @param reconnects outbound connection attempts after the first one to a peer
 * @param badFrames connections closed for a malformed, oversized or corrupt frame
 * @param outboundDropped messages dropped because a peer's bounded queue was full
 * @param connectedPeers peers with an outbound connection that completed its handshake now
 * @param lastRefusal the reason of the most recent refused handshake ("" if none)
 */
public record ConnectionMetrics(
    Map<String, Long> refusedByReason,
    long reconnects,
    long badFrames,
    long outboundDropped,
    int connectedPeers,
    String lastRefusal) {

  /** A member whose transport keeps no counters (test doubles). */
  public static final ConnectionMetrics EMPTY = new ConnectionMetrics(Map.of(), 0, 0, 0, 0, "");

  public ConnectionMetrics {
    refusedByReason = Map.copyOf(refusedByReason);
  }
}
