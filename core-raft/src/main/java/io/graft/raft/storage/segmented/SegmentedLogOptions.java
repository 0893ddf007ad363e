package io.graft.raft.storage.segmented;

import io.graft.raft.api.RaftLogging;
import java.util.Objects;

/**
 * Tunables of {@link SegmentedLogStore}, each with a named limit (docs/STYLE.md §3.9).
 *
 * @param segmentBytesMax a segment is rotated before a record would take it past this size (a
 * single     record larger than this still gets a segment of its own)
 * @param writeBufferBytes appends are encoded into a buffer of this size and written to the file
 * only     when it fills or at {@code sync()}, so small entries cost no system call each
 * @param cacheEntriesMax how many of the newest entries are kept in memory for the leader's reads
 * @param cacheBytesMax the byte bound of that cache ({@code LogEntry.sizeBytes()}); the newest
 *     entry is kept even when it alone is larger
 * @param logging where the member owning the log writes its lines (recovery dropping a torn
 *     tail, preallocation failing); {@link #DEFAULTS} writes to slf4j
 */
public record SegmentedLogOptions(long segmentBytesMax, int writeBufferBytes, int cacheEntriesMax,
    long cacheBytesMax, RaftLogging logging) {
  public static final SegmentedLogOptions DEFAULTS =
      new SegmentedLogOptions(64L << 20, 256 << 10, 4096, 32L << 20);

  /** Logging to slf4j. */
  public SegmentedLogOptions(long segmentBytesMax, int writeBufferBytes, int cacheEntriesMax,
      long cacheBytesMax) {
    this(segmentBytesMax, writeBufferBytes, cacheEntriesMax, cacheBytesMax, RaftLogging.slf4j());
  }

  public SegmentedLogOptions {
    Objects.requireNonNull(logging, "logging");
    if (segmentBytesMax < SegmentHeader.BYTES + RecordCodec.HEADER_BYTES) {
      throw new IllegalArgumentException("segmentBytesMax " + segmentBytesMax
          + " cannot hold a header and one record");
    }
    if (writeBufferBytes < 4096) {
      throw new IllegalArgumentException("writeBufferBytes " + writeBufferBytes + " < 4096");
    }
    if (cacheEntriesMax < 1 || cacheEntriesMax > (1 << 24) || cacheBytesMax < 0) {
      throw new IllegalArgumentException("cacheEntriesMax must be in [1, 2^24] and cacheBytesMax"
          + " >= 0: " + cacheEntriesMax + ", " + cacheBytesMax);
    }
  }

  public SegmentedLogOptions withSegmentBytesMax(long bytes) {
    return new SegmentedLogOptions(bytes, writeBufferBytes, cacheEntriesMax, cacheBytesMax,
        logging);
  }

  public SegmentedLogOptions withCache(int entriesMax, long bytesMax) {
    return new SegmentedLogOptions(segmentBytesMax, writeBufferBytes, entriesMax, bytesMax,
        logging);
  }

  public SegmentedLogOptions withLogging(RaftLogging target) {
    return new SegmentedLogOptions(segmentBytesMax, writeBufferBytes, cacheEntriesMax,
        cacheBytesMax, target);
  }
}
