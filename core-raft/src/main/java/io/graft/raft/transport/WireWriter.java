package io.graft.raft.transport;

import io.graft.raft.api.MemberId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Big-endian writer into a growable array; the encoder's only output primitive. */
final class WireWriter {
  private byte[] buf;
  private int pos;

  WireWriter(int initialCapacity) {
    this(initialCapacity, 0);
  }

  /** Leaves {@code headroom} zero bytes at the start (for a frame header filled in later). */
  WireWriter(int initialCapacity, int headroom) {
    buf = new byte[Math.max(16, initialCapacity + headroom)];
    pos = headroom;
  }

  private void ensure(int more) {
    long need = (long) pos + more;
    if (need > buf.length) {
      long grown = Math.max(need, (long) buf.length * 2);
      if (grown > Integer.MAX_VALUE - 16) {
        throw new CodecException("message too large to encode: " + need + " bytes");
      }
      buf = Arrays.copyOf(buf, (int) grown);
    }
  }

  void u8(int v) {
    ensure(1);
    buf[pos++] = (byte) v;
  }

  void bool(boolean v) {
    u8(v ? 1 : 0);
  }

  void u16(int v) {
    ensure(2);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  void i32(int v) {
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      buf[pos++] = (byte) (v >>> shift);
    }
  }

  void i64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[pos++] = (byte) (v >>> shift);
    }
  }

  /** u32 length then the bytes. */
  void bytes(byte[] v) {
    i32(v.length);
    ensure(v.length);
    System.arraycopy(v, 0, buf, pos, v.length);
    pos += v.length;
  }

  /** u16 length then UTF-8; strings are short identifiers and reasons. */
  void string(String v) {
    byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > WireReader.STRING_BYTES_MAX) {
      throw new CodecException("string of " + utf8.length + " UTF-8 bytes exceeds "
          + WireReader.STRING_BYTES_MAX);
    }
    u16(utf8.length);
    ensure(utf8.length);
    System.arraycopy(utf8, 0, buf, pos, utf8.length);
    pos += utf8.length;
  }

  void member(MemberId id) {
    string(id.value());
  }

  byte[] toByteArray() {
    return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
  }
}
