package io.graft.raft.storage.segmented;

import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One open segment file. {@link #endOffset} counts every byte that belongs to the segment,
 * including bytes still in the store's write buffer (only the active, last segment has any).
 */
final class Segment {
  /** Largest single read or write handed to the channel (see {@link #readChunked}). */
  static final int IO_CHUNK_BYTES = 1 << 20;

  final Path path;
  final long firstIndex;
  final FileChannel channel;
  long endOffset;

  /**
   * The newest sync generation a started sync forced this segment for (see {@link
   * SegmentedLogStore#startSync}); written only by the thread running started syncs.
   */
  volatile long forcedGeneration;

  Segment(Path path, long firstIndex, FileChannel channel, long endOffset) {
    this.path = path;
    this.firstIndex = firstIndex;
    this.channel = channel;
    this.endOffset = endOffset;
  }

  /** Reads exactly {@code dst.remaining()} bytes at {@code offset}. */
  void readFully(ByteBuffer dst, long offset) {
    try {
      if (readChunked(channel, dst, offset) < 0) {
        throw new StorageException("unexpected end of " + path + " reading at byte offset "
            + offset);
      }
    } catch (IOException e) {
      throw new StorageException("cannot read " + path + " at byte offset " + offset, e);
    }
  }

  /**
   * Fills {@code dst} from {@code offset} at most {@link #IO_CHUNK_BYTES} per call; returns the
   * bytes read or -1 at end of file. A heap buffer handed to {@code FileChannel.read} whole makes
   * the JDK allocate, and cache per thread without limit, a temporary direct buffer of the same
   * size: one 40 MB entry read would pin 40 MB of native memory in that thread for good.
   */
  static long readChunked(FileChannel channel, ByteBuffer dst, long offset) throws IOException {
    int limit = dst.limit();
    long at = offset;
    try {
      while (dst.hasRemaining()) {
        dst.limit(Math.min(limit, dst.position() + IO_CHUNK_BYTES));
        int n = channel.read(dst, at);
        if (n < 0) {
          return -1;
        }
        at += n;
        dst.limit(limit);
      }
    } finally {
      dst.limit(limit);
    }
    return at - offset;
  }

  /** Writes all of {@code src} at {@code offset} (no fsync), in chunks like the reads. */
  void writeFully(ByteBuffer src, long offset) {
    long at = offset;
    int limit = src.limit();
    try {
      while (src.hasRemaining()) {
        src.limit(Math.min(limit, src.position() + IO_CHUNK_BYTES));
        at += channel.write(src, at);
        src.limit(limit);
      }
    } catch (IOException e) {
      src.limit(limit);
      throw new StorageException("cannot write " + path + " at byte offset " + offset, e);
    }
  }

  /**
   * Removes the records from {@code cut} on: a preallocated segment (larger than its records)
   * keeps its size and gets zeros over them, as its tail is zeros already; a growing one is
   * truncated. Not forced.
   */
  void cut(long cut) {
    try {
      if (channel.size() <= endOffset) {
        channel.truncate(cut);
      } else {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(IO_CHUNK_BYTES, endOffset - cut));
        for (long at = cut; at < endOffset; at += zeros.capacity()) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), endOffset - at));
          writeFully(zeros, at);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot truncate " + path + " at " + cut, e);
    }
    endOffset = cut;
  }

  /**
   * Forces the segment for a started sync of {@code generation}, unless a newer one already did
   * (it covered every earlier write). Returns true if it forced. One thread at a time.
   */
  boolean forceFor(long generation) {
    if (forcedGeneration >= generation) {
      return false;
    }
    force();
    forcedGeneration = generation;
    return true;
  }

  void force() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new StorageException("fsync failed for " + path, e);
    }
  }

  void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new StorageException("cannot close " + path, e);
    }
  }

  @Override
  public String toString() {
    return path.getFileName() + "[first=" + firstIndex + ", end=" + endOffset + "]";
  }
}
