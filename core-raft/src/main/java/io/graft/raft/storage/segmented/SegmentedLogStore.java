package io.graft.raft.storage.segmented;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.StorageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A durable {@link LogStore}: a directory of segment files ({@link SegmentFileNames}), each a
 * {@link SegmentHeader} followed by CRC32C-protected records ({@link RecordCodec}).
 *
 * <p>Write path: {@link #append} validates each entry (dense index, non-decreasing term) and
 * encodes it into one reusable direct buffer; the buffer reaches the file when it fills or at
 * {@link #sync()}, which writes what is buffered and then forces the active segment once (group
 * commit: one fsync for every append since the previous sync), plus the directory if a segment was
 * created. Rotation forces the finished segment first, so only the last segment can ever hold
 * un-synced data; recovery relies on that ({@link SegmentRecovery}). Truncation and compaction
 * delete files and fsync the directory at once, because they are rare and a resurrected deleted
 * segment could reintroduce entries that conflict with the leader's log (Raft §5.3).
 *
 * <p>Read path: term and file offset of every present index live in two primitive arrays, so
 * {@link #term} is O(1); the newest entries are served from {@link EntryCache}; older ones are read
 * with one positional read per contiguous run and verified (CRC, index, term) after reading.
 *
 * <p>Helpers, one job each: {@link SegmentDisk} creates, deletes and forces the files (and
 * numbers the syncs started for another thread), {@link SegmentTrimmer} cuts the log at either
 * end, {@link WriteFailureLatch} remembers the first write failure.
 *
 * <p>Threading: single owner thread, like every {@link LogStore}. Any I/O failure or corruption
 * throws {@link StorageException}, which is fatal for the node.
 *
 * <p>After a failed write, fsync or truncation (a full disk, an I/O error) the files may no longer
 * match what this object holds in memory: a write that failed half-way has moved its buffer past
 * the bytes that reached the file, and the page cache of a failed fsync cannot be trusted. So the
 * store then refuses every further write, sync, truncation and buffered read, and {@link #close()}
 * releases the files without writing; the member recovers the log from disk when it is opened
 * again ({@link SegmentRecovery} drops the torn tail). Opening forces the last segment and the
 * directory once, so that records an earlier run wrote but never forced (it stopped between a
 * write and its fsync) are durable before this run acknowledges anything from them.
 */
public final class SegmentedLogStore implements LogStore {
  private final Path dir;
  private final SegmentedLogOptions options;
  private final DirectoryLock lock;
  private final SegmentIndex index;
  private final EntryCache cache;
  private final SegmentWriteBuffer writes;
  private final SegmentDisk disk;
  private final SegmentTrimmer trimmer;
  private final WriteFailureLatch failure;
  private long snapshotIndex;
  private long snapshotTerm;
  private boolean activeDirty;
  private boolean dirDirty;
  private boolean closed;
  private long syncCount;

  private SegmentedLogStore(Path dir, SegmentedLogOptions options, DirectoryLock lock,
      SegmentRecovery.Result recovered, Executor preallocation, SegmentChannels channels) {
    this.dir = dir;
    this.options = options;
    this.lock = lock;
    this.failure = new WriteFailureLatch(dir);
    this.index = new SegmentIndex(recovered.segments(), recovered.baseIndex(), recovered.terms(),
        recovered.offsets());
    this.snapshotIndex = recovered.snapshotIndex();
    this.snapshotTerm = recovered.snapshotTerm();
    this.cache = new EntryCache(options.cacheEntriesMax(), options.cacheBytesMax());
    Segment active = active();
    this.writes =
        new SegmentWriteBuffer(options.writeBufferBytes(), active == null ? 0 : active.endOffset);
    this.disk = new SegmentDisk(dir, options.segmentBytesMax(), preallocation, channels,
        options.logging());
    disk.forceAtOpen(index.segments);
    this.trimmer = new SegmentTrimmer(index, cache, writes, disk);
    disk.prepareAhead();
  }

  public static SegmentedLogStore open(Path dir) {
    return open(dir, SegmentedLogOptions.DEFAULTS);
  }

  /** As {@link #open(Path, SegmentedLogOptions, Executor)} without preallocation. */
  public static SegmentedLogStore open(Path dir, SegmentedLogOptions options) {
    return open(dir, options, (Executor) null);
  }

  /**
   * Opens (creating if needed) the log in {@code dir}, recovering it. Takes an exclusive lock on
   * {@code dir/lock} so two processes never write one log. With a {@code preallocation} executor,
   * the next segment is prepared on it ahead of time, zero-filled to {@code segmentBytesMax} and
   * fsynced ({@link SegmentPreallocator}), so the log's fsyncs write data, not file-size metadata.
   */
  public static SegmentedLogStore open(Path dir, SegmentedLogOptions options,
      Executor preallocation) {
    return open(dir, options, preallocation, SegmentChannels.DEFAULT);
  }

  /** As {@link #open(Path, SegmentedLogOptions)}, new segments opened through {@code channels}. */
  static SegmentedLogStore open(Path dir, SegmentedLogOptions options,
      SegmentChannels channels) {
    return open(dir, options, null, channels);
  }

  private static SegmentedLogStore open(Path dir, SegmentedLogOptions options,
      Executor preallocation, SegmentChannels channels) {
    DirectoryLock lock = DirectoryLock.acquire(dir);
    try {
      return new SegmentedLogStore(dir, options, lock,
          SegmentRecovery.recover(dir, options.logging()), preallocation, channels);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  @Override
  public long firstIndex() {
    return snapshotIndex + 1;
  }

  @Override
  public long lastIndex() {
    return index.count() == 0 ? snapshotIndex : index.endIndex() - 1;
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
    return this.index.term(index);
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
    long next = fromIndex;
    while (next < toIndexExclusive) {
      LogEntry cached = cache.get(next);
      if (cached == null) {
        flushForRead(); // the run may include records still in the write buffer
        long read = index.readRun(next, toIndexExclusive, maxBytes - bytes, out, cache);
        if (read < 0) {
          break;
        }
        bytes += read;
        next = fromIndex + out.size();
        continue;
      }
      if (!out.isEmpty() && bytes + cached.sizeBytes() > maxBytes) {
        break;
      }
      out.add(cached);
      bytes += cached.sizeBytes();
      next++;
    }
    return out;
  }

  @Override
  public void append(List<LogEntry> entries) {
    ensureWritable();
    RecordCodec.validateAppend(entries, lastIndex(), term(lastIndex()));
    try {
      appendValid(entries);
    } catch (StorageException e) {
      throw failed(e);
    }
  }

  private void appendValid(List<LogEntry> entries) {
    for (LogEntry entry : entries) {
      int recordBytes = RecordCodec.recordBytes(entry);
      Segment active = active();
      if (active == null || (active.endOffset > SegmentHeader.BYTES
          && active.endOffset + recordBytes > options.segmentBytesMax())) {
        rotate(entry.index());
        active = active();
      }
      long offset = active.endOffset;
      writes.append(active, entry, recordBytes);
      index.add(entry.term(), offset);
      cache.add(entry);
    }
    activeDirty |= !entries.isEmpty();
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    ensureWritable();
    if (fromIndex <= snapshotIndex) {
      throw new IllegalArgumentException(
          "cannot truncate at " + fromIndex + " <= snapshot index " + snapshotIndex);
    }
    if (fromIndex > lastIndex()) {
      return;
    }
    try {
      truncateValid(fromIndex);
    } catch (StorageException e) {
      throw failed(e);
    }
  }

  private void truncateValid(long fromIndex) {
    trimmer.cutSuffix(fromIndex);
    activeDirty = false;
  }

  @Override
  public void compactPrefix(long upToIndex, long upToTerm) {
    ensureWritable();
    if (upToIndex <= snapshotIndex) {
      return;
    }
    if (upToTerm < 0) {
      throw new IllegalArgumentException("negative snapshot term " + upToTerm);
    }
    try {
      compactValid(upToIndex, upToTerm);
    } catch (StorageException e) {
      throw failed(e);
    }
  }

  private void compactValid(long upToIndex, long upToTerm) {
    boolean wholeLog = upToIndex >= lastIndex();
    trimmer.dropPrefix(upToIndex, upToTerm, wholeLog);
    if (wholeLog) {
      activeDirty = false;
    }
    snapshotIndex = upToIndex;
    snapshotTerm = upToTerm;
  }

  @Override
  public void sync() {
    ensureWritable();
    try {
      writes.flush(active());
      Segment active = active();
      if (activeDirty && active != null) {
        disk.force(active);
      }
      activeDirty = false;
      if (dirDirty) {
        disk.forceDirectory();
        dirDirty = false;
      }
    } catch (StorageException e) {
      throw failed(e);
    }
    syncCount++;
  }

  /**
   * Writes what is buffered and returns the fsync of the active segment (and of the directory if a
   * segment was created) for another thread. Rotation forces a finished segment itself, so only
   * the active one can hold un-synced data, as recovery expects. Started syncs are numbered: one
   * run after a newer one of the same segment has nothing left to force and skips its fsync (run
   * a batch of them newest first).
   */
  @Override
  public Sync startSync() {
    ensureWritable();
    try {
      writes.flush(active());
    } catch (StorageException e) {
      throw failed(e);
    }
    Segment segment = activeDirty ? active() : null;
    boolean directory = dirDirty;
    activeDirty = false;
    dirDirty = false;
    syncCount++;
    return disk.startForce(segment, directory, failure);
  }

  /** Number of {@link #sync()} calls (each at most one data fsync, plus one per new segment). */
  public long syncCount() {
    return syncCount;
  }

  /** Number of fsyncs issued, of segment files and of the directory (for metrics and tests). */
  public long fsyncCount() {
    return disk.fsyncCount();
  }

  /** Number of segment files currently in use. */
  public int segmentCount() {
    return index.segments.size();
  }

  public Path directory() {
    return dir;
  }

  /**
   * Flushes and forces what is buffered, then releases files and the directory lock; after a
   * write failure it writes nothing (see the class comment) and only releases them.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      if (!failure.tripped()) {
        sync();
      }
    } finally {
      closed = true;
      disk.close();
      for (Segment s : index.segments) {
        s.close();
      }
      lock.close();
    }
  }

  private void rotate(long firstIndex) {
    Segment previous = active();
    if (previous != null) {
      writes.flush(active());
      // A finished segment is complete on disk before its successor gets any byte (see recovery).
      disk.force(previous);
    }
    Segment created = disk.create(firstIndex);
    writes.startSegment(
        new SegmentHeader(SegmentHeader.VERSION, firstIndex, System.currentTimeMillis()));
    index.segments.add(created);
    activeDirty = true;
    dirDirty = true;
  }

  private Segment active() {
    return index.active();
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

  /** Open, and no earlier write failed. */
  private void ensureWritable() {
    ensureOpen();
    failure.ensureNotTripped();
  }

  /** Records the first write-side failure; the store takes no more writes (class comment). */
  private StorageException failed(StorageException e) {
    return failure.record(e);
  }

  /** A read that must see records still in the write buffer writes them out first. */
  private void flushForRead() {
    ensureWritable();
    try {
      writes.flush(active());
    } catch (StorageException e) {
      throw failed(e);
    }
  }
}
