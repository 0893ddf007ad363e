package io.graft.raft.storage.segmented;

import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk record of one log entry.
 *
 * <pre>
 * offset size field
 *      0    4 length L = number of bytes after the checksum field (17 + payload length)
 *      4    4 CRC32C over the length field and the L bytes that follow the checksum
 *      8    8 term
 *     16    8 index
 *     24    1 entry type code ({@link EntryType#code()}, never the ordinal)
 *     25  L-17 payload
 * </pre>
 *
 * <p>The checksum also covers the length so that a corrupted length cannot make a valid-looking
 * record out of the wrong byte range. Big-endian throughout. Not thread-safe (reuses one CRC32C).
 */
final class RecordCodec {
  static final int HEADER_BYTES = 25;
  /** Bytes of the length field plus the checksum field. */
  static final int PREFIX_BYTES = 8;
  /** Smallest legal value of the length field (empty payload). */
  static final int MIN_LENGTH = HEADER_BYTES - PREFIX_BYTES;

  private final CRC32C crc = new CRC32C();

  static int recordBytes(LogEntry entry) {
    return HEADER_BYTES + entry.payload().length;
  }

  /** Encodes one record at the buffer's position; the buffer must have room for it. */
  void encode(LogEntry entry, ByteBuffer out) {
    int start = out.position();
    byte[] payload = entry.payload();
    out.putInt(MIN_LENGTH + payload.length);
    out.putInt(0);
    out.putLong(entry.term());
    out.putLong(entry.index());
    out.put((byte) entry.type().code());
    out.put(payload);
    out.putInt(start + 4, checksum(out, start, out.position()));
  }

  /**
   * Puts only the 25-byte header of {@code entry}'s record, with the checksum computed from the
   * entry itself, so that a record larger than the write buffer can follow it in pieces without
   * ever being copied whole (a 40 MB entry would otherwise cost a heap copy plus the JDK's
   * temporary direct copy of it).
   */
  void encodeHeader(LogEntry entry, ByteBuffer out) {
    byte[] payload = entry.payload();
    int length = MIN_LENGTH + payload.length;
    ByteBuffer fields = ByteBuffer.allocate(HEADER_BYTES);
    fields.putInt(length).putInt(0).putLong(entry.term()).putLong(entry.index())
        .put((byte) entry.type().code());
    crc.reset();
    crc.update(fields.array(), 0, 4);
    crc.update(fields.array(), PREFIX_BYTES, HEADER_BYTES - PREFIX_BYTES);
    crc.update(payload, 0, payload.length);
    fields.putInt(4, (int) crc.getValue());
    out.put(fields.array());
  }

  /**
   * CRC32C of the record occupying {@code [start, end)} of {@code buf}: the length field plus
   * everything after the checksum field. Does not move the buffer's position.
   */
  int checksum(ByteBuffer buf, int start, int end) {
    crc.reset();
    ByteBuffer view = buf.duplicate();
    view.limit(start + 4).position(start);
    crc.update(view);
    view.limit(end).position(start + PREFIX_BYTES);
    crc.update(view);
    return (int) crc.getValue();
  }

  /**
   * Decodes and verifies a complete record in {@code [start, start + recordBytes)}; the caller
   * passes what it expects (from its in-memory index) so a misplaced record is caught, not just a
   * corrupt one.
   *
   * @throws IllegalArgumentException describing the mismatch
   */
  LogEntry decodeVerified(ByteBuffer buf, int start, int recordBytes, long expectedIndex,
      long expectedTerm) {
    int length = buf.getInt(start);
    if (length != recordBytes - PREFIX_BYTES) {
      throw new IllegalArgumentException(
          "record length " + length + " does not match index size " + (recordBytes - PREFIX_BYTES));
    }
    if (buf.getInt(start + 4) != checksum(buf, start, start + recordBytes)) {
      throw new IllegalArgumentException("record checksum mismatch");
    }
    long term = buf.getLong(start + 8);
    long index = buf.getLong(start + 16);
    if (index != expectedIndex || term != expectedTerm) {
      throw new IllegalArgumentException("record holds t" + term + " i" + index
          + " where the index says t" + expectedTerm + " i" + expectedIndex);
    }
    EntryType type = EntryType.ofCode(buf.get(start + 24));
    byte[] payload = new byte[length - MIN_LENGTH];
    buf.get(start + HEADER_BYTES, payload);
    return new LogEntry(term, index, type, payload);
  }

  /**
   * Checks entries before they are encoded after {@code lastIndex} (of {@code lastTerm}): dense
   * indexes, terms never decreasing (Raft §5.3), a payload a record can hold.
   */
  static void validateAppend(List<LogEntry> entries, long lastIndex, long lastTerm) {
    long expected = lastIndex + 1;
    long previousTerm = lastTerm;
    for (LogEntry e : entries) {
      if (e.index() != expected) {
        throw new IllegalArgumentException(
            "append out of order: expected index " + expected + ", got " + e);
      }
      if (e.term() < previousTerm) {
        throw new IllegalArgumentException(
            "append with decreasing term: " + e + " after term " + previousTerm);
      }
      if (e.payload().length > Integer.MAX_VALUE - HEADER_BYTES) {
        throw new IllegalArgumentException("entry too large: " + e);
      }
      expected++;
      previousTerm = e.term();
    }
  }
}
