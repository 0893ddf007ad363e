package io.graft.raft.transport.netty;

import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.MessageCodec;

/**
 * A Raft message queued for one or more peers, encoded at most once: the first peer whose event
 * loop writes it encodes the whole frame ({@link FrameFormat}: length, CRC32C, payload) into one
 * array, and every peer writes that same array. The leader's AppendEntries to followers in the
 * same state thus costs one encoding and one checksum, not one per follower.
 */
final class OutboundMessage {
  private final RaftMessage message;
  private byte[] frame;

  OutboundMessage(RaftMessage message) {
    this.message = message;
  }

  RaftMessage message() {
    return message;
  }

  /** The encoded frame; thread-safe, encodes on first use. */
  synchronized byte[] frame(MessageCodec codec) {
    if (frame == null) {
      frame = FrameFormat.frameInPlace(codec.encode(message, FrameFormat.HEADER_BYTES));
    }
    return frame;
  }
}
