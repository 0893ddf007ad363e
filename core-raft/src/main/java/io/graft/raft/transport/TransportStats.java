package io.graft.raft.transport;

/**
 * A point-in-time snapshot of a transport's counters, all cumulative since start.
 *
 * @param messagesSent Raft messages handed to a connected peer's socket (flushed in batches)
 * @param batchesFlushed socket flushes; messagesSent / batchesFlushed is the mean write batch
 * @param messagesReceived Raft messages delivered to the inbound consumer
 * @param outboundDropped messages dropped because a peer's bounded outbound queue was full, or the
 *     message encoded larger than the maximum frame
 * @param unknownPeerDropped messages sent to a member that is not in the address book
 * @param inboundDropped inbound messages dropped because {@code from()} differed from the member
 *     named in the connection's handshake
 * @param reconnects outbound connection attempts after the first one to a peer
 * @param handshakesRejected handshakes refused, by this member as server or by a peer we dialled
 * @param badFrames connections closed for a malformed, oversized, corrupt or unexpected frame
 * @param connectedPeers peers with an outbound connection that completed its handshake right now
 * @param lastHandshakeRejection reason of the most recent refused handshake ("" if none)
 * @param lastBadFrame reason of the most recent bad-frame close ("" if none)
 * @param handshakesRejectedByReason {@link #handshakesRejected} by kind of reason and by who
 *     refused: keys {@code "<kind>/self"} (this member refused the peer) or {@code "<kind>/peer"}
 *     (the peer refused this member); kinds: {@code cluster_id}, {@code protocol_version}, {@code
 *     own_id}, {@code wrong_member}, {@code reset_member}, {@code no_identity}, {@code other}
 */
public record TransportStats(
    long messagesSent,
    long batchesFlushed,
    long messagesReceived,
    long outboundDropped,
    long unknownPeerDropped,
    long inboundDropped,
    long reconnects,
    long handshakesRejected,
    long badFrames,
    int connectedPeers,
    String lastHandshakeRejection,
    String lastBadFrame,
    java.util.Map<String, Long> handshakesRejectedByReason) {

  public TransportStats {
    handshakesRejectedByReason = java.util.Map.copyOf(handshakesRejectedByReason);
  }
}
