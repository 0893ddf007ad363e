package io.graft.bridge.durability;

import java.io.IOException;
import java.time.Instant;
import org.neo4j.kernel.KernelVersion;
import org.neo4j.kernel.impl.transaction.log.LogPosition;
import org.neo4j.kernel.impl.transaction.log.checkpoint.CheckpointAppender;
import org.neo4j.kernel.impl.transaction.tracing.LogCheckPointEvent;
import org.neo4j.storageengine.api.TransactionId;

/**
 * Neo4j's checkpoint appender, preceded by a force of the transaction log. Neo4j's checkpointer
 * writes a checkpoint for the last CLOSED transaction after flushing the store, and assumes that
 * transaction's log entries are already durable (its own appender forces before it closes
 * anything). With {@link UnforcedLogAppender} they may not be: forcing here, after the store
 * flush and before the record that recovery will start from, keeps Neo4j's rule "a checkpoint
 * never points past the durable log", and makes the checkpointed consensusIndex a point below
 * which this member never needs the Raft log again.
 */
public final class ForcingCheckpointAppender implements CheckpointAppender {
  private final CheckpointAppender delegate;
  private final Neo4jLogForces forces;

  public ForcingCheckpointAppender(CheckpointAppender delegate, Neo4jLogForces forces) {
    this.delegate = delegate;
    this.forces = forces;
  }

  /** The appender this one forces before (to avoid wrapping twice). */
  public CheckpointAppender delegate() {
    return delegate;
  }

  @Override
  public void checkPoint(LogCheckPointEvent event, TransactionId transactionId, long appendIndex,
      KernelVersion kernelVersion, LogPosition oldestNotCompletedPosition,
      LogPosition checkpointedLogPosition, Instant checkpointTime, String reason)
      throws IOException {
    forces.force(Neo4jLogForces.Reason.CHECKPOINT);
    delegate.checkPoint(event, transactionId, appendIndex, kernelVersion,
        oldestNotCompletedPosition, checkpointedLogPosition, checkpointTime, reason);
  }
}
