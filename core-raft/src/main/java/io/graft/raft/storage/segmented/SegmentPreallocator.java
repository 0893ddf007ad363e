package io.graft.raft.storage.segmented;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;

/**
 * Keeps one zero-filled, fsynced spare file of a segment's full size ready in the log directory,
 * prepared on a background executor, so that a new segment is a rename of already allocated
 * blocks: an fsync of the log then writes data only, not the file-size and block-allocation
 * metadata that appending to a growing file costs (what etcd's WAL does with fallocate; Java has
 * no fallocate, so the zeros are written, off the write path). Recovery reads a zero tail as the
 * unused end of a segment.
 *
 * <p>Spare files are named {@code segment-spare-<random>} (never a segment name); leftovers of an
 * earlier process are deleted at open. If no spare is ready when a segment is needed, the caller
 * creates a growing file as before.
 */
final class SegmentPreallocator implements AutoCloseable {
  static final String SPARE_PREFIX = "segment-spare-";
  private static final int CHUNK_BYTES = 1 << 20;

  private enum State {
    IDLE,
    PREPARING,
    READY,
    CLOSED
  }

  private final Path dir;
  private final Logger log;
  private final long bytes;
  private final Executor executor;
  private final Object lock = new Object();
  private State state = State.IDLE;
  private Path spare;
  /** A preparation task was scheduled and has not finished. */
  private boolean running;

  SegmentPreallocator(Path dir, long bytes, Executor executor, RaftLogging logging) {
    this.dir = dir;
    this.log = logging.logger(SegmentPreallocator.class);
    this.bytes = bytes;
    this.executor = executor;
  }

  /** Deletes spare files an earlier process left (complete or not). */
  static void deleteLeftovers(Path dir) throws IOException {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, SPARE_PREFIX + "*")) {
      for (Path p : stream) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Starts preparing a spare unless one is ready or being prepared. */
  void prepareAhead() {
    synchronized (lock) {
      if (state != State.IDLE) {
        return;
      }
      state = State.PREPARING;
      spare = dir.resolve(SPARE_PREFIX + UUID.randomUUID());
      running = true;
    }
    try {
      executor.execute(this::prepare);
    } catch (RuntimeException e) {
      log.warn("Raft log {}: cannot schedule segment preallocation: {}", dir, e.toString());
      synchronized (lock) {
        state = state == State.CLOSED ? State.CLOSED : State.IDLE;
        running = false;
      }
    }
  }

  private void prepare() {
    Path file;
    synchronized (lock) {
      file = spare;
    }
    boolean complete = false;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(CHUNK_BYTES);
      for (long at = 0; at < bytes && !closed(); at += CHUNK_BYTES) {
        zeros.clear().limit((int) Math.min(CHUNK_BYTES, bytes - at));
        while (zeros.hasRemaining()) {
          ch.write(zeros, at + zeros.position());
        }
      }
      ch.force(true);
      complete = !closed();
    } catch (IOException | RuntimeException e) {
      // Not fatal: the next segment simply grows as it is written.
      log.warn("Raft log {}: segment preallocation failed: {}", dir, e.toString());
    } finally {
      synchronized (lock) {
        if (complete && state == State.PREPARING) {
          state = State.READY;
        } else {
          deleteQuietly(file);
          if (state == State.PREPARING) {
            state = State.IDLE;
          }
        }
        running = false;
        lock.notifyAll();
      }
    }
  }

  private boolean closed() {
    synchronized (lock) {
      return state == State.CLOSED;
    }
  }

  /**
   * Renames the ready spare to {@code target} and returns true, then starts preparing the next
   * one; false if none is ready (the caller creates the file itself). The rename is durable once
   * the directory is fsynced (the caller's next sync).
   */
  boolean takeAs(Path target) {
    Path ready;
    synchronized (lock) {
      if (state != State.READY) {
        return false;
      }
      ready = spare;
      state = State.IDLE;
    }
    try {
      Files.move(ready, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StorageException("cannot rename preallocated " + ready + " to " + target, e);
    }
    prepareAhead();
    return true;
  }

  /** Stops preparing (waiting for a running preparation to notice) and deletes the spare. */
  @Override
  public void close() {
    Path left;
    synchronized (lock) {
      left = state == State.READY ? spare : null;
      state = State.CLOSED;
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (running && System.nanoTime() < deadline) {
        try {
          lock.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (left != null) {
      deleteQuietly(left);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover is deleted at the next open
    }
  }
}
