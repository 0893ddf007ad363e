package io.graft.raft.storage.segmented;

import io.graft.raft.message.EntryType;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads one segment file sequentially in large chunks and validates each record: length in range,
 * CRC32C, index exactly the expected one, term not below the previous one (Raft §5.3: terms in a
 * log never decrease), known type code. Validation after reading is the pair of the validation the
 * store does before writing (docs/STYLE.md §3.8). Not thread-safe; one instance per file.
 */
final class SegmentScanner {
  /** A forward search for a valid record only considers indexes this far past the expected one. */
  private static final long SEARCH_INDEX_WINDOW = 1L << 20;
  static final int SECTOR_BYTES = 512;

  private final Path path;
  private final FileChannel channel;
  private final long fileSize;
  private final RecordCodec codec = new RecordCodec();
  private ByteBuffer buf = ByteBuffer.allocate(1 << 20);
  private long bufStart;
  private String problem;

  SegmentScanner(Path path, FileChannel channel) throws IOException {
    this.path = path;
    this.channel = channel;
    this.fileSize = channel.size();
    buf.limit(0);
  }

  long fileSize() {
    return fileSize;
  }

  /** Why the last {@link #recordBytesAt} call returned -1. */
  String problem() {
    return problem;
  }

  /** Term of the record at {@code offset}; only valid after {@link #recordBytesAt} accepted it. */
  long termAt(long offset) {
    return buf.getLong((int) (offset - bufStart) + 8);
  }

  SegmentHeader readHeader() {
    if (!load(0, SegmentHeader.BYTES)) {
      throw new IllegalArgumentException(
          "file is " + fileSize + " bytes, shorter than the " + SegmentHeader.BYTES
              + "-byte header");
    }
    return SegmentHeader.decode(buf.duplicate().position((int) -bufStart));
  }

  /**
   * Validates the record at {@code offset}. Returns its total size in bytes, or -1 (see {@link
   * #problem()}) if it is torn, corrupt or not the record expected at this point of the log.
   */
  int recordBytesAt(long offset, long expectedIndex, long minTerm) {
    if (fileSize - offset < RecordCodec.PREFIX_BYTES) {
      return reject("only " + (fileSize - offset) + " bytes left, less than a record prefix");
    }
    load(offset, RecordCodec.PREFIX_BYTES);
    int length = buf.getInt((int) (offset - bufStart));
    if (length < RecordCodec.MIN_LENGTH
        || length > fileSize - offset - RecordCodec.PREFIX_BYTES
        || length > Integer.MAX_VALUE - RecordCodec.PREFIX_BYTES) {
      return reject("record length " + length + " is impossible ("
          + (fileSize - offset - RecordCodec.PREFIX_BYTES) + " bytes follow)");
    }
    int total = RecordCodec.PREFIX_BYTES + length;
    load(offset, total);
    int at = (int) (offset - bufStart);
    if (buf.getInt(at + 4) != codec.checksum(buf, at, at + total)) {
      return reject("CRC32C mismatch over a " + total + "-byte record");
    }
    long term = buf.getLong(at + 8);
    long index = buf.getLong(at + 16);
    int code = buf.get(at + 24);
    if (index != expectedIndex) {
      return reject("record has index " + index + " where " + expectedIndex + " was expected");
    }
    if (term < minTerm) {
      return reject(
          "record " + index + " has term " + term + " below the previous term " + minTerm);
    }
    if (!isKnownType(code)) {
      return reject("record " + index + " has unknown entry type code " + code);
    }
    return total;
  }

  /**
   * After a bad record at {@code badOffset}, looks for any later record that validates on its own
   * (index at or after {@code expectedIndex}, term at least {@code minTerm}). Returns its offset or
   * -1.
   */
  long findValidRecordAfter(long badOffset, long expectedIndex, long minTerm) {
    for (long q = badOffset + 1; q + RecordCodec.HEADER_BYTES <= fileSize; q++) {
      load(q, RecordCodec.HEADER_BYTES);
      int at = (int) (q - bufStart);
      int length = buf.getInt(at);
      long index = buf.getLong(at + 16);
      if (length < RecordCodec.MIN_LENGTH || length > fileSize - q - RecordCodec.PREFIX_BYTES
          || index < expectedIndex || index >= expectedIndex + SEARCH_INDEX_WINDOW
          || buf.getLong(at + 8) < minTerm || !isKnownType(buf.get(at + 24))) {
        continue;
      }
      if (recordBytesAt(q, index, minTerm) > 0) {
        return q;
      }
    }
    return -1;
  }

  /**
   * True if some sector-aligned 512-byte block inside {@code [from, to)} is all zeros: the
   * signature of a page the kernel never wrote back before a crash (etcd's WAL uses the same test
   * to tell a torn write from corruption), as opposed to a flipped bit inside written data.
   */
  boolean hasZeroSector(long from, long to) {
    long block = (from + SECTOR_BYTES - 1) / SECTOR_BYTES * SECTOR_BYTES;
    for (; block + SECTOR_BYTES <= Math.min(to, fileSize); block += SECTOR_BYTES) {
      load(block, SECTOR_BYTES);
      int at = (int) (block - bufStart);
      boolean zero = true;
      for (int i = 0; i < SECTOR_BYTES && zero; i += 8) {
        zero = buf.getLong(at + i) == 0;
      }
      if (zero) {
        return true;
      }
    }
    return false;
  }

  /**
   * True if every byte from {@code from} to the end of the file is zero: the unused, preallocated
   * end of a segment (a zero length field is never a record).
   */
  boolean allZeroFrom(long from) {
    for (long at = from; at < fileSize; ) {
      int n = (int) Math.min(SECTOR_BYTES * 128L, fileSize - at);
      load(at, n);
      int base = (int) (at - bufStart);
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        if (buf.getLong(base + i) != 0) {
          return false;
        }
      }
      for (; i < n; i++) {
        if (buf.get(base + i) != 0) {
          return false;
        }
      }
      at += n;
    }
    return true;
  }

  private static boolean isKnownType(int code) {
    for (EntryType t : EntryType.values()) {
      if (t.code() == code) {
        return true;
      }
    }
    return false;
  }

  private int reject(String why) {
    problem = why;
    return -1;
  }

  /** Makes {@code [offset, offset + n)} available in {@code buf}; false if the file is shorter. */
  private boolean load(long offset, int n) {
    if (offset >= bufStart && offset + n <= bufStart + buf.limit()) {
      return true;
    }
    if (offset + n > fileSize) {
      return false;
    }
    if (n > buf.capacity()) {
      buf = ByteBuffer.allocate(n);
    }
    buf.clear();
    int want = (int) Math.min(buf.capacity(), fileSize - offset);
    buf.limit(want);
    try {
      if (Segment.readChunked(channel, buf, offset) < 0) {
        throw new StorageException(path + " shrank while being recovered at offset " + offset);
      }
    } catch (IOException e) {
      throw new StorageException("cannot read " + path + " at byte offset " + offset, e);
    }
    buf.flip();
    bufStart = offset;
    return true;
  }
}
