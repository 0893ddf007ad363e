package io.graft.raft.storage.segmented;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The fixed-size header at the start of every segment file.
 *
 * <pre>
 * offset size field
 *      0    4 magic "GRFT" (0x47524654)
 *      4    2 format version (1)
 *      6    2 reserved (0)
 *      8    8 first index (must equal the index in the file name)
 *     16    8 creation time, epoch millis (diagnostics only)
 *     24    8 reserved (0)
 *     32    4 CRC32C of bytes [0, 32)
 * </pre>
 *
 * <p>All integers are big-endian. A header with an unknown version is refused rather than guessed.
 */
public record SegmentHeader(int version, long firstIndex, long createdEpochMillis) {
  public static final int MAGIC = 0x47524654;
  public static final int VERSION = 1;
  public static final int BYTES = 36;

  public SegmentHeader {
    if (firstIndex < 1) {
      throw new IllegalArgumentException("segment first index must be >= 1: " + firstIndex);
    }
  }

  /** Writes the header at the buffer's position and advances it by {@link #BYTES}. */
  public void encode(ByteBuffer out) {
    int start = out.position();
    out.putInt(MAGIC);
    out.putShort((short) version);
    out.putShort((short) 0);
    out.putLong(firstIndex);
    out.putLong(createdEpochMillis);
    out.putLong(0L);
    CRC32C crc = new CRC32C();
    crc.update(out.duplicate().position(start).limit(start + 32));
    out.putInt((int) crc.getValue());
  }

  /**
   * Decodes a header from {@link #BYTES} bytes at the buffer's position.
   *
   * @throws IllegalArgumentException naming what is wrong (magic, checksum, version)
   */
  public static SegmentHeader decode(ByteBuffer in) {
    int start = in.position();
    CRC32C crc = new CRC32C();
    crc.update(in.duplicate().position(start).limit(start + 32));
    int magic = in.getInt();
    int version = Short.toUnsignedInt(in.getShort());
    in.getShort();
    long firstIndex = in.getLong();
    long created = in.getLong();
    in.getLong();
    int storedCrc = in.getInt();
    if (magic != MAGIC) {
      throw new IllegalArgumentException(
          String.format("bad magic 0x%08x (expected 0x%08x)", magic, MAGIC));
    }
    if (storedCrc != (int) crc.getValue()) {
      throw new IllegalArgumentException("header checksum mismatch");
    }
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "unsupported segment format version " + version + " (this build reads " + VERSION + ")");
    }
    if (firstIndex < 1) {
      throw new IllegalArgumentException("header first index " + firstIndex + " < 1");
    }
    return new SegmentHeader(version, firstIndex, created);
  }
}
