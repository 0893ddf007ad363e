package io.graft.raft.transport.netty;

import io.graft.raft.transport.TransportStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The live counters behind {@link TransportStats}; updated from event loops and senders. */
final class TransportCounters {
  final AtomicLong sent = new AtomicLong();
  final AtomicLong flushes = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  final AtomicLong outboundDropped = new AtomicLong();
  final AtomicLong unknownPeerDropped = new AtomicLong();
  final AtomicLong inboundDropped = new AtomicLong();
  final AtomicLong reconnects = new AtomicLong();
  final AtomicLong handshakesRejected = new AtomicLong();
  final AtomicLong badFrames = new AtomicLong();
  private final AtomicReference<String> lastHandshakeRejection = new AtomicReference<>("");
  private final AtomicReference<String> lastBadFrame = new AtomicReference<>("");
  /** The last reason this member refused an inbound handshake with (ServerHandler's WARN dedup). */
  private final AtomicReference<String> lastInboundRefusal = new AtomicReference<>("");

  private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> rejectedByReason =
      new java.util.concurrent.ConcurrentHashMap<>();

  void handshakeRejected(String reason) {
    handshakesRejected.incrementAndGet();
    lastHandshakeRejection.set(reason);
    rejectedByReason.computeIfAbsent(reasonKey(reason), k -> new AtomicLong()).incrementAndGet();
  }

  /**
   * Counts a refusal of an inbound handshake; true when its reason differs from the previous
   * inbound refusal's (then it is logged at WARN). Outbound refusals are not compared: refusing
   * a reset member's dial after our own dial to it was refused, with the same words, is news.
   */
  boolean inboundRefused(String reason) {
    handshakeRejected(reason);
    return !reason.equals(lastInboundRefusal.getAndSet(reason));
  }

  /**
   * {@code "<kind>/self"} or {@code "<kind>/peer"} for a refusal reason as the handshake code
   * words it (ServerHandler, ClientHandler, IdentityGuard); a peer's refusal arrives as
   * {@code "refused by <member>: <its reason>"}.
   */
  static String reasonKey(String reason) {
    String by = "self";
    String inner = reason;
    if (reason.startsWith("refused by ")) {
      by = "peer";
      int colon = reason.indexOf(": ");
      inner = colon < 0 ? "" : reason.substring(colon + 2);
    }
    String kind;
    if (inner.startsWith("protocol version")) {
      kind = "protocol_version";
    } else if (inner.startsWith("cluster id")) {
      kind = "cluster_id";
    } else if (inner.contains("is this member's own id")) {
      kind = "own_id";
    } else if (inner.contains(" answers as member ")) {
      kind = "wrong_member";
    } else if (inner.contains("its Raft state was reset")) {
      kind = "reset_member";
    } else if (inner.contains("presents no Raft identity")) {
      kind = "no_identity";
    } else if (inner.contains(" requires TLS (") || inner.contains(" runs without TLS (")
        || inner.contains("answered in plaintext") || inner.contains("answered without TLS")) {
      kind = "tls_mismatch";
    } else if (inner.contains("certificate")) {
      kind = "tls_certificate";
    } else if (inner.contains("TLS handshake") || inner.contains("TLS version or cipher")) {
      kind = "tls_handshake";
    } else {
      kind = "other";
    }
    return kind + "/" + by;
  }

  String lastHandshakeRejection() {
    return lastHandshakeRejection.get();
  }

  void badFrame(String reason) {
    badFrames.incrementAndGet();
    lastBadFrame.set(reason);
  }

  TransportStats snapshot(int connectedPeers) {
    return new TransportStats(sent.get(), flushes.get(), received.get(), outboundDropped.get(),
        unknownPeerDropped.get(), inboundDropped.get(), reconnects.get(),
        handshakesRejected.get(), badFrames.get(), connectedPeers, lastHandshakeRejection.get(),
        lastBadFrame.get(), byReason());
  }

  private java.util.Map<String, Long> byReason() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    rejectedByReason.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
