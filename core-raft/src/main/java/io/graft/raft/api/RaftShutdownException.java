package io.graft.raft.api;

/** The node is shut down (or stopped after a fatal error); no further proposals are taken. */
public class RaftShutdownException extends RaftException {
  public RaftShutdownException(String message) {
    super(message);
  }

  public RaftShutdownException(String message, Throwable cause) {
    super(message, cause);
  }
}
