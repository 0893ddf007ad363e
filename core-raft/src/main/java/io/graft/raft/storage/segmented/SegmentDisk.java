package io.graft.raft.storage.segmented;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The segment files of one log directory on disk: creates a segment (taking the preallocated spare
 * when one is ready, {@link SegmentPreallocator}), deletes one, and forces a segment or the
 * directory, counting every fsync it issues. {@link SegmentedLogStore} decides when; this class
 * only does it.
 *
 * <p>Threading: the store's owner thread, except the {@link LogStore.Sync} of {@link #startForce},
 * which runs on another thread (hence the atomic count and the volatile generation).
 */
final class SegmentDisk implements AutoCloseable {
  private final Path dir;
  private final SegmentChannels channels;
  /** Keeps a zero-filled segment ready, or null (segments then grow as they are written). */
  private final SegmentPreallocator preallocator;
  /** Also counted by a started sync on another thread. */
  private final AtomicLong fsyncCount = new AtomicLong();
  /** Numbers the started syncs, so an older one finds its segment already forced by a newer. */
  private long syncGeneration;
  /** The newest sync generation that forced the directory. */
  private volatile long directoryForcedGeneration;

  /**
   * @param preallocation where the next segment is prepared ahead of time, or null for none
   */
  SegmentDisk(Path dir, long segmentBytesMax, Executor preallocation, SegmentChannels channels,
      RaftLogging logging) {
    this.dir = dir;
    this.channels = channels;
    this.preallocator = preallocation == null
        ? null
        : new SegmentPreallocator(dir, segmentBytesMax, preallocation, logging);
  }

  /** Starts preparing the next segment, if preallocation is on. */
  void prepareAhead() {
    if (preallocator != null) {
      preallocator.prepareAhead();
    }
  }

  /** Opens the file of a new segment whose first entry is {@code firstIndex}. */
  Segment create(long firstIndex) {
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
    return new Segment(path, firstIndex, channel, SegmentHeader.BYTES);
  }

  void delete(Segment segment) {
    segment.close();
    try {
      Files.delete(segment.path);
    } catch (IOException e) {
      throw new StorageException("cannot delete segment " + segment.path, e);
    }
  }

  void force(Segment segment) {
    segment.force();
    fsyncCount.incrementAndGet();
  }

  /**
   * Opening forces the last segment and the directory once, so that records an earlier run wrote
   * but never forced are durable before this run acknowledges anything from them. On failure
   * every segment is closed and preallocation stopped.
   */
  void forceAtOpen(List<Segment> segments) {
    if (segments.isEmpty()) {
      return;
    }
    try {
      force(segments.get(segments.size() - 1));
      forceDirectory();
    } catch (StorageException e) {
      segments.forEach(SegmentDisk::closeQuietly);
      close();
      throw e;
    }
  }

  /**
   * The fsync of {@code segment} (null: none) and of the directory (if {@code directory}), to run
   * on another thread. Started syncs are numbered: one run after a newer one has nothing left to
   * force and skips its fsync (run a batch of them newest first). A failure is recorded in {@code
   * failure}.
   */
  LogStore.Sync startForce(Segment segment, boolean directory, WriteFailureLatch failure) {
    if (segment == null && !directory) {
      return LogStore.Sync.DONE;
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
        throw failure.record(e);
      }
    };
  }

  void forceDirectory() {
    FileSync.forceDirectory(dir);
    fsyncCount.incrementAndGet();
  }

  /** Counts fsyncs issued elsewhere for this directory (the log's meta file). */
  void countFsyncs(int count) {
    fsyncCount.addAndGet(count);
  }

  long fsyncCount() {
    return fsyncCount.get();
  }

  Path directory() {
    return dir;
  }

  /** Stops preallocation; the segments themselves are the store's to close. */
  @Override
  public void close() {
    if (preallocator != null) {
      preallocator.close();
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
