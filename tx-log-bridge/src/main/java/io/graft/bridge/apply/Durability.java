package io.graft.bridge.apply;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * What of Neo4j's transaction log is durable, and forcing it. When applies do not force Neo4j's
 * log (the Raft log is the durability point; {@code server.raft.neo4j_log_force=CHECKPOINT}), a
 * crash may lose Neo4j's unforced tail: graft forces it before recording an index OUTSIDE that log
 * (the lease file; a snapshot's end), and never lets the Raft log be compacted past what is
 * durable ({@link #durableConsensusIndex}), so a restart always finds in the Raft log every entry
 * it must re-apply.
 */
public interface Durability {
  /** Why graft forces Neo4j's log (counted separately). */
  enum Purpose {
    /** Before a lease entry's index is recorded in graft's lease file. */
    LEASE,
    /** Before a users entry's index is recorded in graft's users table. */
    USERS,
    /** Before a snapshot records the log's end. */
    SNAPSHOT
  }

  /** Makes everything applied to Neo4j so far durable in its log. */
  void force(Purpose purpose) throws IOException;

  /** The highest consensusIndex durable in Neo4j's log (forced, or recovered at start). */
  long durableConsensusIndex();

  /** Every apply forces Neo4j's log (EVERY_APPLY, and tests): nothing to force, all durable. */
  static Durability everyApply(LongSupplier lastConsensusIndex) {
    return new Durability() {
      @Override
      public void force(Purpose purpose) {}

      @Override
      public long durableConsensusIndex() {
        return lastConsensusIndex.getAsLong();
      }
    };
  }
}
