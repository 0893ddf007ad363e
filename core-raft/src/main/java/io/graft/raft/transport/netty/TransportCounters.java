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

  void handshakeRejected(String reason) {
    handshakesRejected.incrementAndGet();
    lastHandshakeRejection.set(reason);
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
        lastBadFrame.get());
  }
}
