package io.graft.raft.transport.netty;

import java.util.zip.CRC32C;

/**
 * Frame layout: {@code [length u32][crc32c u32][payload]}, where length counts the payload only and
 * the CRC32C covers the payload. The payload is {@code [version u8][type u8][body]}
 * ({@link io.graft.raft.transport.MessageCodec}). CRC32C as in dragonboat frames and Ratis
 * segments (docs/RAFT-ANCHORS.md §5): TCP's 16-bit checksum misses real corruption.
 */
final class FrameFormat {
  static final int HEADER_BYTES = 8;
  /** version + type. */
  static final int PAYLOAD_BYTES_MIN = 2;

  private FrameFormat() {}

  static int crc32c(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload, 0, payload.length);
    return (int) crc.getValue();
  }

  /**
   * Fills in the header of a frame whose payload follows {@link #HEADER_BYTES} zero bytes in
   * {@code frame} (as {@code MessageCodec.encode(message, HEADER_BYTES)} leaves it); returns it.
   */
  static byte[] frameInPlace(byte[] frame) {
    int length = frame.length - HEADER_BYTES;
    CRC32C crc = new CRC32C();
    crc.update(frame, HEADER_BYTES, length);
    putInt(frame, 0, length);
    putInt(frame, 4, (int) crc.getValue());
    return frame;
  }

  /** The whole frame as bytes; used by tests that speak the protocol over a raw socket. */
  static byte[] frame(byte[] payload) {
    byte[] out = new byte[HEADER_BYTES + payload.length];
    putInt(out, 0, payload.length);
    putInt(out, 4, crc32c(payload));
    System.arraycopy(payload, 0, out, HEADER_BYTES, payload.length);
    return out;
  }

  private static void putInt(byte[] out, int offset, int v) {
    out[offset] = (byte) (v >>> 24);
    out[offset + 1] = (byte) (v >>> 16);
    out[offset + 2] = (byte) (v >>> 8);
    out[offset + 3] = (byte) v;
  }
}
