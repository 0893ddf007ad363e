package io.graft.plugin;

import io.graft.bridge.apply.DatabaseSlot;
import io.graft.bridge.apply.GraphStateMachine;
import io.graft.raft.api.RaftNode;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.logging.InternalLog;

/**
 * Tells the operator, once, that this member's Raft node stopped after a fatal error: why, what
 * it means for the cluster and what to do; after a failed apply it also records that Neo4j's
 * transaction log may end in a torn append ({@link TornTxLogTail}). Called from a Raft listener (the member's status
 * changes when it stops), so on a Raft thread; the flag makes it say so exactly once.
 */
final class FatalStopReport {
  private final RaftNode raft;
  private final RaftPluginConfig config;
  private final GraphStateMachine machine;
  private final DatabaseSlot slot;
  private final InternalLog log;
  /** neo4j.log: what an operator reads first. */
  private final InternalLog userLog;
  private final AtomicBoolean stopReported = new AtomicBoolean();

  FatalStopReport(RaftNode raft, RaftPluginConfig config, GraphStateMachine machine,
      DatabaseSlot slot, InternalLog log, InternalLog userLog) {
    this.raft = raft;
    this.config = config;
    this.machine = machine;
    this.slot = slot;
    this.log = log;
    this.userLog = userLog;
  }

  /** Logs, once, to debug.log and neo4j.log that graft stopped here, why, and what to do. */
  void reportIfStopped() {
    raft.failure().ifPresent(failure -> {
      if (stopReported.compareAndSet(false, true)) {
        String message = String.format("graft: the Raft member %s of database '%s' STOPPED after"
            + " a fatal error: %s. It takes no writes and no longer follows the cluster"
            + " (raft.status() reports role %s; it refuses neo4j:// routing requests, so drivers"
            + " ask the other members, which go on without it while a majority of them is up)."
            + " Fix the cause (a full disk: free space) and restart this server: it recovers"
            + " from its own disk and catches up.", config.self(), config.database(),
            MemberStatusView.cause(failure), MemberStatusView.STOPPED);
        log.error(message, failure);
        userLog.error(message);
        if (machine.failed()) { // an apply failed: Neo4j's log may end in a torn append
          TornTxLogTail.recordFailedApply(config.raftDirectory(),
              slot.current().durability().durableConsensusIndex(), log);
        }
      }
    });
  }
}
