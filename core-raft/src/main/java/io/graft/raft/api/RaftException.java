package io.graft.raft.api;

/** Base of the expected, documented failures of a {@link RaftNode} operation. */
public class RaftException extends RuntimeException {
  public RaftException(String message) {
    super(message);
  }

  public RaftException(String message, Throwable cause) {
    super(message, cause);
  }
}
