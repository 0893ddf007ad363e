package io.graft.raft.transport;

import io.graft.raft.api.MemberId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked big-endian reader. Every length field is checked against the bytes actually
 * remaining before anything is allocated, so hostile input can never cause a large allocation or a
 * loop longer than the input (docs/STYLE.md §3.9).
 */
final class WireReader {
  /** Longest string on the wire (member ids are at most 255 chars, i.e. 765 UTF-8 bytes). */
  static final int STRING_BYTES_MAX = 4096;

  private final byte[] buf;
  private int pos;

  WireReader(byte[] buf) {
    this.buf = buf;
  }

  int remaining() {
    return buf.length - pos;
  }

  private void need(int n, String what) {
    if (n < 0 || n > remaining()) {
      throw new CodecException("truncated: " + what + " needs " + n + " bytes, "
          + remaining() + " remain at offset " + pos);
    }
  }

  int u8(String what) {
    need(1, what);
    return buf[pos++] & 0xFF;
  }

  boolean bool(String what) {
    int v = u8(what);
    if (v > 1) {
      throw new CodecException("bad boolean " + v + " for " + what);
    }
    return v == 1;
  }

  int u16(String what) {
    need(2, what);
    int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  int i32(String what) {
    need(4, what);
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  long i64(String what) {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  byte[] bytes(String what) {
    int len = i32(what + " length");
    if (len < 0) {
      throw new CodecException("negative length " + len + " for " + what);
    }
    need(len, what);
    byte[] v = new byte[len];
    System.arraycopy(buf, pos, v, 0, len);
    pos += len;
    return v;
  }

  String string(String what) {
    int len = u16(what + " length");
    if (len > STRING_BYTES_MAX) {
      throw new CodecException("string length " + len + " exceeds " + STRING_BYTES_MAX);
    }
    need(len, what);
    try {
      String v = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, pos, len))
          .toString();
      pos += len;
      return v;
    } catch (CharacterCodingException e) {
      throw new CodecException("malformed UTF-8 in " + what, e);
    }
  }

  MemberId member(String what) {
    String v = string(what);
    try {
      return MemberId.of(v);
    } catch (IllegalArgumentException e) {
      throw new CodecException("invalid member id in " + what + ": " + e.getMessage(), e);
    }
  }

  void expectEnd(String what) {
    if (remaining() != 0) {
      throw new CodecException(remaining() + " trailing bytes after " + what);
    }
  }
}
