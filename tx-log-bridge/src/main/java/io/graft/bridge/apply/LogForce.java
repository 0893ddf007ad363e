package io.graft.bridge.apply;

import java.io.IOException;

/**
 * Makes everything applied to Neo4j so far durable in its own transaction log. Needed before graft
 * records an index OUTSIDE that log (the lease file): when applies do not force Neo4j's log (the
 * Raft log is the durability point), a crash may lose Neo4j's unforced tail, and a recorded index
 * past it would make the member skip, instead of re-apply, the lost transactions.
 */
@FunctionalInterface
public interface LogForce {
  /** Nothing to force: every apply already forces Neo4j's log. */
  LogForce NONE = () -> {};

  void force() throws IOException;
}
