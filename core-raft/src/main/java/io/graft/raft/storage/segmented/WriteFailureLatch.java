package io.graft.raft.storage.segmented;

import io.graft.raft.storage.StorageException;
import java.nio.file.Path;

/**
 * Remembers the first write-side I/O failure of a log (a full disk, an I/O error); from then on
 * the log refuses writes (see {@link SegmentedLogStore}'s class comment for why). Volatile: a
 * started sync that fails on another thread records its failure too.
 */
final class WriteFailureLatch {
  private final Path dir;
  private volatile StorageException failure;

  WriteFailureLatch(Path dir) {
    this.dir = dir;
  }

  /** Records {@code e} if it is the first failure, and returns it for the caller to throw. */
  StorageException record(StorageException e) {
    if (failure == null) {
      failure = e;
    }
    return e;
  }

  boolean tripped() {
    return failure != null;
  }

  /** Throws unless no write has failed yet. */
  void ensureNotTripped() {
    StorageException f = failure;
    if (f != null) {
      throw new StorageException("raft log " + dir + " takes no more writes after an earlier I/O"
          + " failure (" + f.getMessage() + (f.getCause() == null ? "" : ": " + f.getCause())
          + "); restart the member to recover the log from disk", f);
    }
  }
}
