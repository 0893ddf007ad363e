package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import java.util.Objects;

/**
 * Configuration of {@link NettyTransport}; check it once with {@link #validate()} (docs/STYLE.md
 * §3.9).
 *
 * @param listenAddress "host:port" the server binds (port 0 picks a free port)
 * @param clusterId identifies the cluster; a handshake naming another cluster is refused
 * @param self this member's id, announced in every outbound handshake
 * @param maxFrameBytes largest frame payload accepted or sent; a larger inbound frame closes the
 *     connection, a larger outbound message is dropped and counted
 * @param outboundQueueCapacity messages queued per peer before new ones are dropped
 * @param reconnectBackoffMinMillis first reconnect delay; it doubles per failure ...
 * @param reconnectBackoffMaxMillis ... up to this cap (each delay jittered to [d/2, d])
 * @param eventLoopThreads Netty event loop threads shared by the server and all peers
 * @param connectTimeoutMillis bound on TCP connect and on the handshake, both sides
 * @param outboundBindHost local host outbound connections bind to (port 0), e.g. the member's own
 *     127.0.0.N so a test proxy can tell members apart by source address; null lets the OS choose
 */
public record NettyTransportConfig(
    String listenAddress,
    String clusterId,
    MemberId self,
    int maxFrameBytes,
    int outboundQueueCapacity,
    long reconnectBackoffMinMillis,
    long reconnectBackoffMaxMillis,
    int eventLoopThreads,
    long connectTimeoutMillis,
    String outboundBindHost) {

  /**
   * Frame bytes beyond the entries' own {@code LogEntry.sizeBytes()}: the AppendEntries header
   * (members, terms, indexes) plus a few bytes per entry for at most a few hundred entries.
   */
  public static final int FRAME_HEADROOM_BYTES = 64 * 1024;

  /**
   * Largest entry bytes one frame is sized for: a 1 GiB entry plus up to 64 KiB of envelope the
   * application wraps around it (graft's server.raft.max_entry_size stops at 1 GiB).
   */
  public static final int MAX_APPEND_BYTES = (1 << 30) + FRAME_HEADROOM_BYTES;

  /** The largest frame payload (Java arrays stop just under 2 GiB). */
  public static final int MAX_FRAME_BYTES_LIMIT = MAX_APPEND_BYTES + FRAME_HEADROOM_BYTES;

  /** 16 MiB of entries or snapshot chunk plus room for headers. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024 + FRAME_HEADROOM_BYTES;

  /**
   * The frame size that carries an AppendEntries of {@code appendBytes} entry bytes (core-raft's
   * {@code appendBytesMax}; a single larger entry is never built, the runtime refuses it).
   */
  public static int frameBytesFor(long appendBytes) {
    if (appendBytes < 0 || appendBytes > MAX_APPEND_BYTES) {
      throw new IllegalArgumentException("appendBytes must be in [0, 1 GiB + 64 KiB]: "
          + appendBytes);
    }
    return (int) Math.max(1024, appendBytes + FRAME_HEADROOM_BYTES);
  }

  public static final int DEFAULT_OUTBOUND_QUEUE_CAPACITY = 4096;

  /**
   * Defaults: 16 MiB frames, 4096 queued per peer, back-off 50 ms..2 s, one event loop thread,
   * 5 s. One thread serves every link of a member (a 3-member cluster has four): a leader's
   * AppendEntries to both followers then wake one thread, not two, and the leader spent less CPU
   * per write in 18 of 20 same-round benchmark pairs against two threads (benchmarks/
   * NEO4J-RESULTS.md). {@code -Dgraft.ab.eventLoops=N} sets the count for side-by-side runs.
   */
  public static NettyTransportConfig defaults(
      String listenAddress, String clusterId, MemberId self) {
    return new NettyTransportConfig(listenAddress, clusterId, self, DEFAULT_MAX_FRAME_BYTES,
        DEFAULT_OUTBOUND_QUEUE_CAPACITY, 50, 2000, Integer.getInteger("graft.ab.eventLoops", 1),
        5000, null);
  }

  public NettyTransportConfig withMaxFrameBytes(int value) {
    return new NettyTransportConfig(listenAddress, clusterId, self, value, outboundQueueCapacity,
        reconnectBackoffMinMillis, reconnectBackoffMaxMillis, eventLoopThreads,
        connectTimeoutMillis, outboundBindHost);
  }

  public NettyTransportConfig withOutboundQueueCapacity(int value) {
    return new NettyTransportConfig(listenAddress, clusterId, self, maxFrameBytes, value,
        reconnectBackoffMinMillis, reconnectBackoffMaxMillis, eventLoopThreads,
        connectTimeoutMillis, outboundBindHost);
  }

  public NettyTransportConfig withReconnectBackoff(long minMillis, long maxMillis) {
    return new NettyTransportConfig(listenAddress, clusterId, self, maxFrameBytes,
        outboundQueueCapacity, minMillis, maxMillis, eventLoopThreads, connectTimeoutMillis,
        outboundBindHost);
  }

  public NettyTransportConfig withConnectTimeoutMillis(long value) {
    return new NettyTransportConfig(listenAddress, clusterId, self, maxFrameBytes,
        outboundQueueCapacity, reconnectBackoffMinMillis, reconnectBackoffMaxMillis,
        eventLoopThreads, value, outboundBindHost);
  }

  public NettyTransportConfig withOutboundBindHost(String host) {
    return new NettyTransportConfig(listenAddress, clusterId, self, maxFrameBytes,
        outboundQueueCapacity, reconnectBackoffMinMillis, reconnectBackoffMaxMillis,
        eventLoopThreads, connectTimeoutMillis, host);
  }

  /** Throws {@link IllegalArgumentException} naming the first invalid setting and why. */
  public NettyTransportConfig validate() {
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(self, "self");
    HostPort.listen(listenAddress);
    check(!clusterId.isBlank() && clusterId.length() <= 255,
        "clusterId must be 1..255 non-blank characters: '" + clusterId + "'");
    check(maxFrameBytes >= 1024 && maxFrameBytes <= MAX_FRAME_BYTES_LIMIT,
        "maxFrameBytes must be in [1 KiB, 1 GiB + 128 KiB]: " + maxFrameBytes);
    check(outboundQueueCapacity >= 1 && outboundQueueCapacity <= (1 << 20),
        "outboundQueueCapacity must be in [1, 2^20]: " + outboundQueueCapacity);
    check(reconnectBackoffMinMillis >= 1,
        "reconnectBackoffMinMillis must be >= 1: " + reconnectBackoffMinMillis);
    check(reconnectBackoffMaxMillis >= reconnectBackoffMinMillis,
        "reconnectBackoffMaxMillis (" + reconnectBackoffMaxMillis
            + ") must be >= reconnectBackoffMinMillis (" + reconnectBackoffMinMillis + ")");
    check(eventLoopThreads >= 1 && eventLoopThreads <= 64,
        "eventLoopThreads must be in [1, 64]: " + eventLoopThreads);
    check(connectTimeoutMillis >= 1 && connectTimeoutMillis <= Integer.MAX_VALUE,
        "connectTimeoutMillis must be in [1, 2^31-1]: " + connectTimeoutMillis);
    check(outboundBindHost == null || !outboundBindHost.isBlank(),
        "outboundBindHost must be null (OS chooses) or a host");
    return this;
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
