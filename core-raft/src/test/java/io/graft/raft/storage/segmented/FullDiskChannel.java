package io.graft.raft.storage.segmented;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real file channel on a disk with {@code free} bytes left (shared by every channel of one
 * test "disk"), failing as Linux does when it fills: a write that needs more space than is left
 * writes what fits and returns that short count; the next write then fails with ENOSPC. Rewriting
 * bytes the file already has takes no new space.
 */
final class FullDiskChannel extends FileChannel {
  private final FileChannel file;
  private final AtomicLong free;

  FullDiskChannel(FileChannel file, AtomicLong free) {
    this.file = file;
    this.free = free;
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    long size = file.size();
    long growth = Math.max(0, position + src.remaining() - size);
    long left = free.get();
    if (growth <= left) {
      int n = file.write(src, position);
      free.addAndGet(-Math.max(0, position + n - size));
      return n;
    }
    long fits = Math.max(0, size - position) + left;
    if (fits <= 0) {
      throw new IOException("No space left on device");
    }
    ByteBuffer part = src.duplicate();
    part.limit(part.position() + (int) fits);
    int n = file.write(part, position);
    src.position(src.position() + n);
    free.addAndGet(-Math.max(0, position + n - size));
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int n = write(src, file.position());
    file.position(file.position() + n);
    return n;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(srcs[i]);
    }
    return total;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return file.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return file.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return file.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    return file.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    file.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return file.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    long before = file.size();
    file.truncate(size);
    free.addAndGet(Math.max(0, before - file.size()));
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    file.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) {
    throw new UnsupportedOperationException("not used by the segmented log");
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new UnsupportedOperationException("not used by the segmented log");
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) {
    throw new UnsupportedOperationException("not used by the segmented log");
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return file.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return file.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    file.close();
  }
}
