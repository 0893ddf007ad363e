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
  final Path path;
  final long firstIndex;
  final FileChannel channel;
  long endOffset;

  Segment(Path path, long firstIndex, FileChannel channel, long endOffset) {
    this.path = path;
    this.firstIndex = firstIndex;
    this.channel = channel;
    this.endOffset = endOffset;
  }

  /** Reads exactly {@code dst.remaining()} bytes at {@code offset}. */
  void readFully(ByteBuffer dst, long offset) {
    long at = offset;
    try {
      while (dst.hasRemaining()) {
        int n = channel.read(dst, at);
        if (n < 0) {
          throw new StorageException("unexpected end of " + path + " at byte offset " + at);
        }
        at += n;
      }
    } catch (IOException e) {
      throw new StorageException("cannot read " + path + " at byte offset " + offset, e);
    }
  }

  /** Writes all of {@code src} at {@code offset} (no fsync). */
  void writeFully(ByteBuffer src, long offset) {
    long at = offset;
    try {
      while (src.hasRemaining()) {
        at += channel.write(src, at);
      }
    } catch (IOException e) {
      throw new StorageException("cannot write " + path + " at byte offset " + offset, e);
    }
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
