package io.graft.plugin;

/** When graft has Neo4j force its transaction log on a member (server.raft.neo4j_log_force). */
public enum Neo4jLogForce {
  /**
   * The default: the Raft log, fsynced on a majority before an entry commits, is the durability
   * point. Applying committed entries writes Neo4j's log to the operating system without forcing
   * it; it is forced before each checkpoint, lease change and snapshot. A crash may lose Neo4j's
   * unforced tail; the member re-applies it from the Raft log. One fsync on a write's critical
   * path.
   */
  CHECKPOINT,
  /**
   * Every applied run of entries forces Neo4j's log (Neo4j's own commit process, as a single
   * server does): a second fsync on every member after the Raft log's.
   */
  EVERY_APPLY
}
