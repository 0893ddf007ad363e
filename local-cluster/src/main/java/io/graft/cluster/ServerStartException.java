package io.graft.cluster;

/** A member failed to start; the message carries the tail of its logs. */
public final class ServerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ServerStartException(String what, ServerProcess server) {
    super(what + " (home " + server.home().dir() + ")\n" + server.logTail(30));
  }
}
