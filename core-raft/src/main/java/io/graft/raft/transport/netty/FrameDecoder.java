package io.graft.raft.transport.netty;

import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into frames and decodes them to {@code WireMessage}s. The length field is
 * checked against {@code maxFrameBytes} before anything is buffered or allocated, the CRC32C before
 * anything is decoded. A frame above {@link #STREAM_FRAME_BYTES_MIN} is received straight into
 * its payload array (allocated once its length passed that check), so a 40 MB AppendEntries costs
 * one 40 MB array, not a cumulation buffer regrown (and copied) in 4 MiB steps plus the array.
 * After the first error the decoder discards all further input: the connection is being closed
 * and nothing after a corrupt frame can be trusted.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  /**
   * Limit before the handshake is accepted: an unauthenticated connection must not make the
   * server buffer a 16 MiB frame. Handshake frames are a few hundred bytes (strings are capped at
   * 4 KiB).
   */
  static final int HANDSHAKE_FRAME_BYTES_MAX = 16 * 1024;

  /** Frames larger than this are copied into their payload array as they arrive. */
  static final int STREAM_FRAME_BYTES_MIN = 64 * 1024;

  private final MessageCodec codec;
  private int maxFrameBytes;
  private boolean failed;
  /** Payload of the large frame being received (its header already checked), else null. */
  private byte[] pending;
  private int pendingFilled;
  private int pendingCrc;

  FrameDecoder(int maxFrameBytes, MessageCodec codec) {
    this.maxFrameBytes = maxFrameBytes;
    this.codec = codec;
  }

  static int handshakeLimit(NettyTransportConfig config) {
    return Math.min(HANDSHAKE_FRAME_BYTES_MAX, config.maxFrameBytes());
  }

  /** Called on the event loop once the handshake is accepted. */
  void maxFrameBytes(int value) {
    maxFrameBytes = value;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (pending == null) {
      if (in.readableBytes() < FrameFormat.HEADER_BYTES) {
        return;
      }
      long length = in.getUnsignedInt(in.readerIndex());
      if (length < FrameFormat.PAYLOAD_BYTES_MIN || length > maxFrameBytes) {
        throw fail("frame length " + length + " outside [" + FrameFormat.PAYLOAD_BYTES_MIN + ", "
            + maxFrameBytes + "]");
      }
      if (length <= STREAM_FRAME_BYTES_MIN
          && in.readableBytes() < FrameFormat.HEADER_BYTES + length) {
        return; // a small frame waits whole in the cumulation buffer
      }
      in.skipBytes(4);
      pendingCrc = in.readInt();
      pending = new byte[(int) length];
      pendingFilled = 0;
    }
    // A large frame streams straight into its final array as bytes arrive: the cumulation buffer
    // stays small instead of growing (and being copied) step by step up to the frame's size.
    int n = Math.min(in.readableBytes(), pending.length - pendingFilled);
    in.readBytes(pending, pendingFilled, n);
    pendingFilled += n;
    if (pendingFilled < pending.length) {
      return;
    }
    byte[] payload = pending;
    pending = null;
    int actualCrc = FrameFormat.crc32c(payload);
    if (actualCrc != pendingCrc) {
      throw fail("frame checksum mismatch: header 0x" + Integer.toHexString(pendingCrc)
          + ", payload 0x" + Integer.toHexString(actualCrc));
    }
    try {
      out.add(codec.decode(payload));
    } catch (CodecException e) {
      failed = true;
      throw e;
    }
  }

  private CodecException fail(String reason) {
    failed = true;
    return new CodecException(reason);
  }
}
