package io.graft.raft.storage.segmented;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where every physically present entry lives: the open segments in index order, and per index its
 * term and byte offset in two primitive arrays starting at {@link #baseIndex}. Lookups by index are
 * O(1); finding the segment of an index is a binary search over the (few) segments. Also holds the
 * verified read path: one positional read per contiguous run, then CRC, index and term checked for
 * every record (docs/STYLE.md §3.8: validate right after reading). Not thread-safe.
 */
final class SegmentIndex {
  /** Contiguous reads are capped so one lagging follower cannot make us allocate a huge buffer. */
  private static final int READ_SPAN_MAX = 8 << 20;
  /** Reads up to this size reuse one buffer; larger ones (huge entries) allocate and drop it. */
  private static final int READ_BUFFER_KEPT_MAX = 1 << 20;

  final ArrayList<Segment> segments;
  final LongList terms;
  final LongList offsets;
  long baseIndex;
  private final RecordCodec codec = new RecordCodec();
  private ByteBuffer readBuffer = ByteBuffer.allocate(64 << 10);

  SegmentIndex(List<Segment> segments, long baseIndex, LongList terms, LongList offsets) {
    this.segments = new ArrayList<>(segments);
    this.baseIndex = baseIndex;
    this.terms = terms;
    this.offsets = offsets;
  }

  int count() {
    return terms.size();
  }

  /** One past the last physically present index. */
  long endIndex() {
    return baseIndex + terms.size();
  }

  long term(long index) {
    return terms.get((int) (index - baseIndex));
  }

  long offset(long index) {
    return offsets.get((int) (index - baseIndex));
  }

  void add(long term, long offset) {
    terms.add(term);
    offsets.add(offset);
  }

  /** Forgets indexes {@code >= fromIndex}. */
  void truncate(long fromIndex) {
    terms.truncate((int) (fromIndex - baseIndex));
    offsets.truncate((int) (fromIndex - baseIndex));
  }

  /** Forgets the first segment's indexes (the segment itself is removed by the caller). */
  void dropBefore(long newBaseIndex) {
    terms.removeFirst((int) (newBaseIndex - baseIndex));
    offsets.removeFirst((int) (newBaseIndex - baseIndex));
    baseIndex = newBaseIndex;
  }

  void clear(long newBaseIndex) {
    terms.clear();
    offsets.clear();
    baseIndex = newBaseIndex;
  }

  Segment active() {
    return segments.isEmpty() ? null : segments.get(segments.size() - 1);
  }

  /** Position in {@link #segments} of the segment holding {@code index}. */
  int positionFor(long index) {
    int lo = 0;
    int hi = segments.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (segments.get(mid).firstIndex <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * Reads from one segment a contiguous run of entries starting at {@code from}, stopping before
   * {@code to}, before a cached entry, and when {@code budget} bytes ({@code LogEntry.sizeBytes()})
   * would be exceeded, but always at least one entry when {@code out} is empty. Returns the bytes
   * added, or -1 if the budget did not allow one entry. The caller has flushed buffered writes.
   */
  long readRun(long from, long to, long budget, List<LogEntry> out, EntryCache cache) {
    int k = positionFor(from);
    Segment segment = segments.get(k);
    long segmentEnd = k + 1 < segments.size() ? segments.get(k + 1).firstIndex : endIndex();
    long end = Math.min(to, segmentEnd);
    long start = offset(from);
    long bytes = 0;
    long index = from;
    while (index < end && (index == from || cache.get(index) == null)) {
      long recordEnd = recordEnd(index, segmentEnd, segment);
      long size = recordEnd - offset(index) - 1; // record = 25 + payload, sizeBytes = 24 + payload
      boolean first = out.isEmpty() && index == from;
      if (!first && (bytes + size > budget || recordEnd - start > READ_SPAN_MAX)) {
        break;
      }
      bytes += size;
      index++;
    }
    if (index == from) {
      return -1;
    }
    readAndDecode(segment, segmentEnd, from, index, out);
    return bytes;
  }

  private void readAndDecode(Segment segment, long segmentEnd, long from, long toExclusive,
      List<LogEntry> out) {
    long start = offset(from);
    int span = (int) (recordEnd(toExclusive - 1, segmentEnd, segment) - start);
    ByteBuffer buf;
    if (span > READ_BUFFER_KEPT_MAX) {
      buf = ByteBuffer.allocate(span);
    } else {
      if (readBuffer.capacity() < span) {
        readBuffer = ByteBuffer.allocate(Math.min(READ_BUFFER_KEPT_MAX,
            Math.max(span, readBuffer.capacity() * 2)));
      }
      buf = readBuffer;
    }
    buf.clear().limit(span);
    segment.readFully(buf, start);
    for (long i = from; i < toExclusive; i++) {
      int at = (int) (offset(i) - start);
      int size = (int) (recordEnd(i, segmentEnd, segment) - start) - at;
      try {
        out.add(codec.decodeVerified(buf, at, size, i, term(i)));
      } catch (IllegalArgumentException e) {
        throw new StorageException("raft log " + segment.path + " is corrupt at byte offset "
            + (start + at) + " (entry " + i + "): " + e.getMessage() + ". The node must stop;"
            + " restore this member from the cluster (rejoin empty) or from a backup.", e);
      }
    }
  }

  /** End offset of the record for {@code index}; {@code segmentEnd} is the segment's end index. */
  private long recordEnd(long index, long segmentEnd, Segment segment) {
    long next = index + 1;
    return next < segmentEnd ? offset(next) : segment.endOffset;
  }
}
