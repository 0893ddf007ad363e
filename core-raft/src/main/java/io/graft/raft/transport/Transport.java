package io.graft.raft.transport;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.RaftMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Carries Raft messages between members. Delivery is best effort: messages may be dropped (full
 * outbound queue, peer down), but never corrupted, and per-peer order is kept while a connection
 * lives. Raft tolerates the loss.
 *
 * <p>Threading: {@link #send} may be called from any thread and never blocks on the network. The
 * inbound consumer is called from transport threads; it must only enqueue.
 */
public interface Transport extends AutoCloseable {

  /** Binds the listen address and starts delivering inbound messages to {@code inbound}. */
  void start(Consumer<RaftMessage> inbound);

  /** Replaces the address book: member id to "host:port". Connections to removed peers close. */
  void setPeers(Map<MemberId, String> addresses);

  /** Queues {@code message} for {@code to}; drops it (and counts the drop) if the queue is full. */
  void send(MemberId to, RaftMessage message);

  /**
   * Queues one {@code message} for each of {@code to}: a transport may encode it once for all of
   * them (a leader's AppendEntries to followers in the same state). Same semantics as {@link
   * #send} per recipient.
   */
  default void send(List<MemberId> to, RaftMessage message) {
    for (MemberId member : to) {
      send(member, message);
    }
  }

  /**
   * Registers {@code listener}, called (on a transport thread; it must only enqueue) when an
   * established connection to a peer closes: the peer may have crashed (a killed process's
   * connections close at once). Call before {@link #start}. A transport that cannot tell never
   * calls it.
   */
  default void onPeerLost(Consumer<MemberId> listener) {}

  /**
   * The cluster epoch this member presents (the epoch of the latest configuration it is a member
   * of; {@code 0} if none). A transport with a handshake refuses peers of another non-zero epoch
   * and, when the value changes, drops its connections so that every peer is checked again.
   * Default: ignored (transports without a handshake, tests).
   */
  default void setEpoch(long epoch) {}

  /**
   * The epoch {@code member} presented in its latest accepted handshake ({@code 0} if none or
   * unknown): a new member binds to its leader's. Default: unknown.
   */
  default long peerEpoch(MemberId member) {
    return 0;
  }

  /**
   * An executor whose one thread also runs this transport's I/O, for a node to run its owner
   * work on: messages read there reach the owner without a thread hand-off, and what the owner
   * sends from there is written by the same thread ({@link #flush}). Null (the default) if the
   * transport has none or is not started.
   */
  default Executor ownerLoop() {
    return null;
  }

  /**
   * Writes out at once what {@link #send} queued from the calling thread, when that thread is the
   * transport's own ({@link #ownerLoop}); otherwise nothing (the transport's threads write as
   * usual). The owner calls it after a Ready's messages and before its fsync, so replication
   * never waits behind the disk.
   */
  default void flush() {}

  /**
   * The transport's counters (messages, drops, reconnects, refused handshakes by reason), or
   * null for a transport that keeps none (test doubles). Any thread.
   */
  default TransportStats stats() {
    return null;
  }

  @Override
  void close();
}
