package io.graft.raft.storage;

/** A storage failure (I/O error, corruption). Fatal for the node that sees it. */
public class StorageException extends RuntimeException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
