package io.graft.cluster;

import java.net.Socket;
import java.util.OptionalInt;

/** Tells which member opened a connection that the fault proxy accepted. */
@FunctionalInterface
public interface SourceResolver {
  /** The 1-based member index, or empty if the peer is not a known member. */
  OptionalInt memberOf(Socket accepted);
}
