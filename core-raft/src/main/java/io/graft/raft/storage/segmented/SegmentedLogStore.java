package io.graft.raft.storage.segmented;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A durable {@link LogStore}: a directory of segment files ({@link SegmentFileNames}), each a {@link
 * SegmentHeader} followed by CRC32C-protected records ({@link RecordCodec}).
 *
 * <p>Write path: {@link #append} validates each entry (dense index, non-decreasing term) and encodes
 * it into one reusable direct buffer; the buffer reaches the file when it fills or at {@link #sync()},
 * which writes what is buffered and then forces the active segment once (group commit: one fsync for
 * every append since the previous sync), plus the directory if a segment was created. Rotation forces
 * the finished segment first, so only the last segment can ever hold un-synced data; recovery relies
 * on that ({@link SegmentRecovery}). Truncation and compaction delete files and fsync the directory
 * at once, because they are rare and a resurrected deleted segment could reintroduce entries that
 * conflict with the leader's log (Raft §5.3).
 *
 * <p>Read path: term and file offset of every present index live in two primitive arrays, so
 * {@link #term} is O(1); the newest entries are served from {@link EntryCache}; older ones are read
 * with one positional read per contiguous run and verified (CRC, index, term) after reading.
 *
 * <p>Threading: single owner thread, like every {@link LogStore}. Any I/O failure or corruption
 * throws {@link StorageException}, which is fatal for the node.
 */
public final class SegmentedLogStore implements LogStore {
  /** Contiguous reads are capped so one lagging follower cannot make us allocate a huge buffer. */
  private static final int READ_SPAN_MAX = 8 << 20;

  private final Path dir;
  private final SegmentedLogOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ArrayList<Segment> segments;
  private final LongList terms;
  private final LongList offsets;
  private final EntryCache cache;
  private final RecordCodec codec = new RecordCodec();
  private final ByteBuffer writeBuffer;
  private ByteBuffer readBuffer = ByteBuffer.allocate(64 << 10);
  private long baseIndex;
  private long snapshotIndex;
  private long snapshotTerm;
  /** File offset, in the last segment, of the first byte held in {@link #writeBuffer}. */
  private long bufferedFrom;
  private boolean activeDirty;
  private boolean dirDirty;
  private boolean closed;
  private long syncCount;

  private SegmentedLogStore(Path dir, SegmentedLogOptions options, FileChannel lockChannel,
      FileLock lock, SegmentRecovery.Result recovered) {
    this.dir = dir;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.segments = new ArrayList<>(recovered.segments());
    this.terms = recovered.terms();
    this.offsets = recovered.offsets();
    this.baseIndex = recovered.baseIndex();
    this.snapshotIndex = recovered.snapshotIndex();
    this.snapshotTerm = recovered.snapshotTerm();
    this.cache = new EntryCache(options.cacheEntriesMax(), options.cacheBytesMax());
    this.writeBuffer = ByteBuffer.allocateDirect(options.writeBufferBytes());
    Segment active = active();
    this.bufferedFrom = active == null ? 0 : active.endOffset;
  }

  public static SegmentedLogStore open(Path dir) {
    return open(dir, SegmentedLogOptions.DEFAULTS);
  }

  /**
   * Opens (creating if needed) the log in {@code dir}, recovering it. Takes an exclusive lock on
   * {@code dir/lock} so two processes never write one log.
   */
  public static SegmentedLogStore open(Path dir, SegmentedLogOptions options) {
    FileChannel lockChannel = null;
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = lockChannel.tryLock();
      if (lock == null) {
        throw new StorageException("raft log " + dir + " is in use by another process");
      }
      return new SegmentedLogStore(dir, options, lockChannel, lock, SegmentRecovery.recover(dir));
    } catch (IOException | RuntimeException e) {
      closeQuietly(lockChannel);
      if (e instanceof StorageException se) {
        throw se;
      }
      if (e instanceof OverlappingFileLockException) {
        throw new StorageException("raft log " + dir + " is already open in this JVM", e);
      }
      throw new StorageException("cannot open raft log " + dir, e);
    }
  }

  @Override
  public long firstIndex() {
    return snapshotIndex + 1;
  }

  @Override
  public long lastIndex() {
    return terms.size() == 0 ? snapshotIndex : baseIndex + terms.size() - 1;
  }

  @Override
  public long snapshotIndex() {
    return snapshotIndex;
  }

  @Override
  public long snapshotTerm() {
    return snapshotTerm;
  }

  @Override
  public long term(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    checkPresent(index);
    return terms.get((int) (index - baseIndex));
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndexExclusive, long maxBytes) {
    ensureOpen();
    if (fromIndex < firstIndex() || toIndexExclusive > lastIndex() + 1
        || fromIndex > toIndexExclusive) {
      throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndexExclusive
          + ") outside [" + firstIndex() + ", " + (lastIndex() + 1) + ")");
    }
    List<LogEntry> out = new ArrayList<>((int) Math.min(toIndexExclusive - fromIndex, 1024));
    long bytes = 0;
    long index = fromIndex;
    while (index < toIndexExclusive) {
      LogEntry cached = cache.get(index);
      if (cached == null) {
        long read = readRun(index, toIndexExclusive, maxBytes - bytes, out);
        if (read < 0) {
          break;
        }
        bytes += read;
        index = fromIndex + out.size();
        continue;
      }
      if (!out.isEmpty() && bytes + cached.sizeBytes() > maxBytes) {
        break;
      }
      out.add(cached);
      bytes += cached.sizeBytes();
      index++;
    }
    return out;
  }

  @Override
  public void append(List<LogEntry> entries) {
    ensureOpen();
    validateAppend(entries);
    for (LogEntry entry : entries) {
      int recordBytes = RecordCodec.recordBytes(entry);
      Segment active = active();
      if (active == null || (active.endOffset > SegmentHeader.BYTES
          && active.endOffset + recordBytes > options.segmentBytesMax())) {
        rotate(entry.index());
        active = active();
      }
      long offset = active.endOffset;
      writeRecord(active, entry, recordBytes);
      terms.add(entry.term());
      offsets.add(offset);
      cache.add(entry);
    }
    activeDirty |= !entries.isEmpty();
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    ensureOpen();
    if (fromIndex <= snapshotIndex) {
      throw new IllegalArgumentException(
          "cannot truncate at " + fromIndex + " <= snapshot index " + snapshotIndex);
    }
    if (fromIndex > lastIndex()) {
      return;
    }
    flushBuffer();
    cache.truncateFrom(fromIndex);
    int k = segmentPositionFor(fromIndex);
    boolean deleted = false;
    while (segments.size() > k + 1) {
      deleteSegment(segments.remove(segments.size() - 1));
      deleted = true;
    }
    Segment segment = segments.get(k);
    if (fromIndex == segment.firstIndex) {
      deleteSegment(segments.remove(k));
      deleted = true;
    } else {
      long cut = offsets.get((int) (fromIndex - baseIndex));
      try {
        segment.channel.truncate(cut);
      } catch (IOException e) {
        throw new StorageException("cannot truncate " + segment.path + " at " + cut, e);
      }
      segment.endOffset = cut;
      // Forced now: a lingering old record after a cut could otherwise pass recovery's checks
      // behind new records written at the same offsets.
      segment.force();
    }
    if (deleted) {
      FileSync.forceDirectory(dir);
    }
    terms.truncate((int) (fromIndex - baseIndex));
    offsets.truncate((int) (fromIndex - baseIndex));
    Segment active = active();
    bufferedFrom = active == null ? 0 : active.endOffset;
    activeDirty = false;
  }

  @Override
  public void compactPrefix(long upToIndex, long upToTerm) {
    ensureOpen();
    if (upToIndex <= snapshotIndex) {
      return;
    }
    if (upToTerm < 0) {
      throw new IllegalArgumentException("negative snapshot term " + upToTerm);
    }
    // Durable before any segment is deleted, so the log never loses the description of its start.
    LogMetaFile.write(dir, new LogMetaFile.Snapshot(upToIndex, upToTerm));
    boolean deleted = false;
    if (upToIndex >= lastIndex()) {
      writeBuffer.clear();
      while (!segments.isEmpty()) {
        deleteSegment(segments.remove(segments.size() - 1));
        deleted = true;
      }
      terms.clear();
      offsets.clear();
      cache.clear();
      baseIndex = upToIndex + 1;
      bufferedFrom = 0;
      activeDirty = false;
    } else {
      while (segments.size() > 1 && segments.get(1).firstIndex - 1 <= upToIndex) {
        Segment first = segments.remove(0);
        long nextFirst = segments.get(0).firstIndex;
        terms.removeFirst((int) (nextFirst - first.firstIndex));
        offsets.removeFirst((int) (nextFirst - first.firstIndex));
        baseIndex = nextFirst;
        deleteSegment(first);
        deleted = true;
      }
      cache.dropBefore(upToIndex + 1);
    }
    if (deleted) {
      FileSync.forceDirectory(dir);
    }
    snapshotIndex = upToIndex;
    snapshotTerm = upToTerm;
  }

  @Override
  public void sync() {
    ensureOpen();
    flushBuffer();
    Segment active = active();
    if (activeDirty && active != null) {
      active.force();
    }
    activeDirty = false;
    if (dirDirty) {
      FileSync.forceDirectory(dir);
      dirDirty = false;
    }
    syncCount++;
  }

  /** Number of {@link #sync()} calls (each at most one data fsync, plus one per new segment). */
  public long syncCount() {
    return syncCount;
  }

  /** Number of segment files currently in use. */
  public int segmentCount() {
    return segments.size();
  }

  public Path directory() {
    return dir;
  }

  /** Flushes and forces what is buffered, then releases files and the directory lock. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      sync();
    } finally {
      closed = true;
      for (Segment s : segments) {
        s.close();
      }
      try {
        lock.release();
      } catch (IOException e) {
        throw new StorageException("cannot release lock on " + dir, e);
      } finally {
        closeQuietly(lockChannel);
      }
    }
  }

  private void validateAppend(List<LogEntry> entries) {
    long expected = lastIndex() + 1;
    long previousTerm = term(lastIndex());
    for (LogEntry e : entries) {
      if (e.index() != expected) {
        throw new IllegalArgumentException(
            "append out of order: expected index " + expected + ", got " + e);
      }
      if (e.term() < previousTerm) {
        throw new IllegalArgumentException(
            "append with decreasing term: " + e + " after term " + previousTerm);
      }
      if (e.payload().length > Integer.MAX_VALUE - RecordCodec.HEADER_BYTES) {
        throw new IllegalArgumentException("entry too large: " + e);
      }
      expected++;
      previousTerm = e.term();
    }
  }

  private void writeRecord(Segment active, LogEntry entry, int recordBytes) {
    if (recordBytes > writeBuffer.remaining()) {
      flushBuffer();
    }
    if (recordBytes > writeBuffer.capacity()) {
      ByteBuffer large = ByteBuffer.allocate(recordBytes);
      codec.encode(entry, large);
      large.flip();
      active.writeFully(large, active.endOffset);
      active.endOffset += recordBytes;
      bufferedFrom = active.endOffset;
      return;
    }
    codec.encode(entry, writeBuffer);
    active.endOffset += recordBytes;
  }

  private void flushBuffer() {
    if (writeBuffer.position() == 0) {
      return;
    }
    writeBuffer.flip();
    int bytes = writeBuffer.remaining();
    active().writeFully(writeBuffer, bufferedFrom);
    bufferedFrom += bytes;
    writeBuffer.clear();
  }

  private void rotate(long firstIndex) {
    Segment previous = active();
    if (previous != null) {
      flushBuffer();
      // A finished segment is complete on disk before its successor gets any byte (see recovery).
      previous.force();
    }
    Path path = dir.resolve(SegmentFileNames.name(firstIndex));
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StorageException("cannot create segment " + path, e);
    }
    new SegmentHeader(SegmentHeader.VERSION, firstIndex, System.currentTimeMillis())
        .encode(writeBuffer);
    segments.add(new Segment(path, firstIndex, channel, SegmentHeader.BYTES));
    bufferedFrom = 0;
    activeDirty = true;
    dirDirty = true;
  }

  /**
   * Reads, from one segment file, a contiguous run of entries starting at {@code from} and not in the
   * cache, within {@code budget} bytes (at least one entry if {@code out} is empty). Returns the bytes
   * added, or -1 if the budget did not allow even one entry.
   */
  private long readRun(long from, long to, long budget, List<LogEntry> out) {
    int k = segmentPositionFor(from);
    Segment segment = segments.get(k);
    long segmentEnd = k + 1 < segments.size() ? segments.get(k + 1).firstIndex : lastIndex() + 1;
    long end = Math.min(to, segmentEnd);
    long start = offsets.get((int) (from - baseIndex));
    long bytes = 0;
    long index = from;
    while (index < end && (index == from || cache.get(index) == null)) {
      long recordEnd = recordEnd(index, segmentEnd, segment);
      long size = recordEnd - offsets.get((int) (index - baseIndex)) - 1;
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
    readAndDecode(segment, segmentEnd, from, index, start, out);
    return bytes;
  }

  private void readAndDecode(Segment segment, long segmentEnd, long from, long toExclusive,
      long start, List<LogEntry> out) {
    long end = recordEnd(toExclusive - 1, segmentEnd, segment);
    if (segment == active() && end > bufferedFrom) {
      flushBuffer();
    }
    int span = (int) (end - start);
    if (readBuffer.capacity() < span) {
      readBuffer = ByteBuffer.allocate(Math.max(span, readBuffer.capacity() * 2));
    }
    readBuffer.clear().limit(span);
    segment.readFully(readBuffer, start);
    for (long i = from; i < toExclusive; i++) {
      int at = (int) (offsets.get((int) (i - baseIndex)) - start);
      int size = (int) (recordEnd(i, segmentEnd, segment) - start) - at;
      try {
        out.add(codec.decodeVerified(readBuffer, at, size, i, terms.get((int) (i - baseIndex))));
      } catch (IllegalArgumentException e) {
        throw new StorageException("raft log " + segment.path + " is corrupt at byte offset "
            + (start + at) + " (entry " + i + "): " + e.getMessage(), e);
      }
    }
  }

  /** End offset of the record for {@code index}; {@code segmentEnd} is the segment's end index. */
  private long recordEnd(long index, long segmentEnd, Segment segment) {
    long next = index + 1;
    return next < segmentEnd ? offsets.get((int) (next - baseIndex)) : segment.endOffset;
  }

  private int segmentPositionFor(long index) {
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

  private void deleteSegment(Segment segment) {
    segment.close();
    try {
      Files.delete(segment.path);
    } catch (IOException e) {
      throw new StorageException("cannot delete segment " + segment.path, e);
    }
  }

  private Segment active() {
    return segments.isEmpty() ? null : segments.get(segments.size() - 1);
  }

  private void checkPresent(long index) {
    if (index < firstIndex() || index > lastIndex()) {
      throw new IndexOutOfBoundsException("index " + index + " outside [" + firstIndex() + ", "
          + lastIndex() + "] (snapshot " + snapshotIndex + ")");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("raft log " + dir + " is closed");
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Already failing; the original exception is the one worth reporting.
      }
    }
  }
}
