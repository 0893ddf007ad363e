package io.graft.raft.storage.segmented;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

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
  /** Keeps a zero-filled segment ready, or null (segments then grow as they are written). */
  private final SegmentPreallocator preallocator;
  private long snapshotIndex;
  private long snapshotTerm;
  private boolean activeDirty;
  private boolean dirDirty;
  private boolean closed;
  /**
   * The first write-side I/O failure; from then on the store takes no more writes. Volatile: a
   * started {@link Sync} that fails on another thread records it too.
   */
  private volatile StorageException failure;
  private final SegmentChannels channels;
  private long syncCount;
  /** Numbers the started syncs, so an older one finds its segment already forced by a newer. */
  private long syncGeneration;
  /** The newest sync generation that forced the directory. */
  private volatile long directoryForcedGeneration;
  /** Also counted by a started Sync on another thread. */
  private final AtomicLong fsyncCount = new AtomicLong();

  private SegmentedLogStore(Path dir, SegmentedLogOptions options, DirectoryLock lock,
      SegmentRecovery.Result recovered, Executor preallocation, SegmentChannels channels) {
    this.dir = dir;
    this.options = options;
    this.channels = channels;
    this.lock = lock;
    this.index = new SegmentIndex(recovered.segments(), recovered.baseIndex(), recovered.terms(),
        recovered.offsets());
    this.snapshotIndex = recovered.snapshotIndex();
    this.snapshotTerm = recovered.snapshotTerm();
    this.cache = new EntryCache(options.cacheEntriesMax(), options.cacheBytesMax());
    Segment active = active();
    this.writes =
        new SegmentWriteBuffer(options.writeBufferBytes(), active == null ? 0 : active.endOffset);
    this.preallocator = preallocation == null
        ? null
        : new SegmentPreallocator(dir, options.segmentBytesMax(), preallocation,
            options.logging());
    if (active != null) {
      try {
        force(active);
        forceDirectory();
      } catch (StorageException e) {
        index.segments.forEach(SegmentedLogStore::closeQuietly);
        if (preallocator != null) {
          preallocator.close();
        }
        throw e;
      }
    }
    if (preallocator != null) {
      preallocator.prepareAhead();
    }
  }

  /** Opens segment files; {@link FileChannel#open} except where a test injects disk failures. */
  @FunctionalInterface
  interface SegmentChannels {
    SegmentChannels DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
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
    writes.flush(active());
    cache.truncateFrom(fromIndex);
    List<Segment> segments = index.segments;
    int k = index.positionFor(fromIndex);
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
      if (deleted) {
        // The later segments' deletions must be durable before the cut: a crash could otherwise
        // keep the cut (forced) but not the deletions, leaving a gap recovery refuses to start on.
        forceDirectory();
        deleted = false;
      }
      long cut = index.offset(fromIndex);
      segment.cut(cut);
      // Forced now: a lingering old record after a cut could otherwise pass recovery's checks
      // behind new records written at the same offsets.
      force(segment);
    }
    if (deleted) {
      forceDirectory();
    }
    index.truncate(fromIndex);
    Segment active = active();
    writes.reset(active == null ? 0 : active.endOffset);
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
    // Durable before any segment is deleted, so the log never loses the description of its start.
    LogMetaFile.write(dir, new LogMetaFile.Snapshot(upToIndex, upToTerm));
    fsyncCount.addAndGet(2); // the temp file and the directory
    List<Segment> segments = index.segments;
    boolean deleted = false;
    if (upToIndex >= lastIndex()) {
      writes.reset(0);
      while (!segments.isEmpty()) {
        deleteSegment(segments.remove(segments.size() - 1));
        deleted = true;
      }
      index.clear(upToIndex + 1);
      cache.clear();
      activeDirty = false;
    } else {
      while (segments.size() > 1 && segments.get(1).firstIndex - 1 <= upToIndex) {
        Segment first = segments.remove(0);
        index.dropBefore(segments.get(0).firstIndex);
        deleteSegment(first);
        deleted = true;
      }
      cache.dropBefore(upToIndex + 1);
    }
    if (deleted) {
      forceDirectory();
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
        force(active);
      }
      activeDirty = false;
      if (dirDirty) {
        forceDirectory();
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
    if (segment == null && !directory) {
      return Sync.DONE;
    }
    long generation = ++syncGeneration;
    return () -> {
      try {
        if (segment != null && segment.forceFor(generation)) {
          fsyncCount.incrementAndGet();
        }
        if (directory && directoryForcedGeneration < generation) {
          forceDirectory();
          directoryForcedGeneration = generation;
        }
      } catch (StorageException e) {
        throw failed(e);
      }
    };
  }

  /** Number of {@link #sync()} calls (each at most one data fsync, plus one per new segment). */
  public long syncCount() {
    return syncCount;
  }

  /** Number of fsyncs issued, of segment files and of the directory (for metrics and tests). */
  public long fsyncCount() {
    return fsyncCount.get();
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
      if (failure == null) {
        sync();
      }
    } finally {
      closed = true;
      if (preallocator != null) {
        preallocator.close();
      }
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
      force(previous);
    }
    Path path = dir.resolve(SegmentFileNames.name(firstIndex));
    FileChannel channel;
    try {
      if (preallocator != null && preallocator.takeAs(path)) {
        channel = channels.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      } else {
        channel = channels.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
      }
    } catch (IOException e) {
      throw new StorageException("cannot create segment " + path, e);
    }
    writes.startSegment(
        new SegmentHeader(SegmentHeader.VERSION, firstIndex, System.currentTimeMillis()));
    index.segments.add(new Segment(path, firstIndex, channel, SegmentHeader.BYTES));
    activeDirty = true;
    dirDirty = true;
  }

  private void deleteSegment(Segment segment) {
    segment.close();
    try {
      Files.delete(segment.path);
    } catch (IOException e) {
      throw new StorageException("cannot delete segment " + segment.path, e);
    }
  }

  private void force(Segment segment) {
    segment.force();
    fsyncCount.incrementAndGet();
  }

  private void forceDirectory() {
    FileSync.forceDirectory(dir);
    fsyncCount.incrementAndGet();
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
    if (failure != null) {
      throw new StorageException("raft log " + dir + " takes no more writes after an earlier I/O"
          + " failure (" + failure.getMessage() + (failure.getCause() == null ? ""
          : ": " + failure.getCause()) + "); restart the member to recover the log from disk",
          failure);
    }
  }

  /** Records the first write-side failure; the store takes no more writes (class comment). */
  private StorageException failed(StorageException e) {
    if (failure == null) {
      failure = e;
    }
    return e;
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

  private static void closeQuietly(Segment segment) {
    try {
      segment.close();
    } catch (StorageException ignored) {
      // Already failing; the original exception is the one worth reporting.
    }
  }
}
