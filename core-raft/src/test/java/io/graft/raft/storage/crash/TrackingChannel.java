package io.graft.raft.storage.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A file channel of the {@link CrashFileSystem}: reads and writes go to the real file (the page
 * cache), and every write and truncation is also recorded as not yet durable until {@link
 * #force}. A directory opened for reading is a channel too; forcing it makes the directory's
 * entries durable.
 */
final class TrackingChannel extends FileChannel {
  private final CrashFileSystem fs;
  private final Path real;
  private final CrashFileSystem.Inode inode;
  private final FileChannel delegate;

  TrackingChannel(CrashFileSystem fs, Path real, CrashFileSystem.Inode inode, FileChannel delegate) {
    this.fs = fs;
    this.real = real;
    this.inode = inode;
    this.delegate = delegate;
  }

  /** Closes the real channel under the user's feet: the process died. */
  void kill() throws IOException {
    delegate.close();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    fs.checkAlive();
    return delegate.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    fs.checkAlive();
    return delegate.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    fs.checkAlive();
    return delegate.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    synchronized (fs) {
      long position = delegate.position();
      int n = write(src, position);
      delegate.position(position + n);
      return n;
    }
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
  public int write(ByteBuffer src, long position) throws IOException {
    synchronized (fs) {
      fs.beforeMutation("write " + real + " at " + position);
      byte[] bytes = new byte[src.remaining()];
      src.duplicate().get(bytes);
      int n = delegate.write(src, position);
      if (n < bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, n);
      }
      inode.pending.add(CrashFileSystem.DataOp.write(position, bytes));
      return n;
    }
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    fs.checkAlive();
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    synchronized (fs) {
      fs.beforeMutation("truncate " + real + " to " + size);
      if (size < delegate.size()) {
        inode.pending.add(CrashFileSystem.DataOp.truncate(size));
      }
      delegate.truncate(size);
      return this;
    }
  }

  @Override
  public void force(boolean metaData) throws IOException {
    synchronized (fs) {
      fs.beforeMutation("force " + real);
      // No real fsync: durability is what this file system models, and the tests stay fast.
      if (inode == null) {
        fs.directoryForced(real);
      } else {
        inode.commit();
      }
    }
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target)
      throws IOException {
    fs.checkAlive();
    return delegate.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new UnsupportedOperationException("transferFrom is not tracked by the crash file system");
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) {
    throw new UnsupportedOperationException("memory mapping is not tracked by the crash file"
        + " system");
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    fs.checkAlive();
    return delegate.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    fs.checkAlive();
    return delegate.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    fs.closed(this);
    delegate.close();
  }
}
