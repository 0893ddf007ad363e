package io.graft.raft.storage.segmented;

import io.graft.raft.storage.FileSync;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An exclusive lock on {@code dir/lock}, so two processes (or stores) never write one log. */
final class DirectoryLock implements AutoCloseable {
  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /** Creates {@code dir} if needed and locks it, or fails naming who holds it. */
  static DirectoryLock acquire(Path dir) {
    FileChannel channel = null;
    try {
      FileSync.createDirectories(dir);
      channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new StorageException("raft log " + dir + " is in use by another process");
      }
      return new DirectoryLock(dir, channel, lock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
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
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      throw new StorageException("cannot release lock on " + dir, e);
    } finally {
      closeQuietly(channel);
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
