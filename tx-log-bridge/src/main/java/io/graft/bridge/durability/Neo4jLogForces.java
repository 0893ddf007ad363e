package io.graft.bridge.durability;

import io.graft.bridge.apply.Durability;
import io.graft.raft.api.metrics.Histogram;
import io.graft.raft.api.metrics.HistogramSnapshot;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.neo4j.kernel.impl.transaction.log.LogAppendEvent;
import org.neo4j.kernel.impl.transaction.log.files.LogFile;

/**
 * Forces Neo4j's transaction log where graft needs what was appended to be durable without a
 * replay from the Raft log, counts every force graft asks for (with its latency), and tracks the
 * consensusIndex that is durable: the last committed one at the start of the database (recovered
 * from disk, and checkpointed by Neo4j after recovery or at the clean shutdown before), then the
 * last committed one before each force. Neo4j's own log rotation forces too (once per rotated
 * file); those are not counted here.
 */
public final class Neo4jLogForces implements Durability {
  /** Why graft forced Neo4j's log. */
  public enum Reason {
    /** Before a checkpoint record is written ({@link ForcingCheckpointAppender}). */
    CHECKPOINT,
    /** Before a lease entry's index is recorded in graft's lease file. */
    LEASE,
    /** Before a users entry's index is recorded in graft's users table. */
    USERS,
    /** Before a snapshot records the log's end. */
    SNAPSHOT,
    /** Before a transaction creating a token, schema rule or kernel version reaches the store. */
    TOKENS_OR_SCHEMA
  }

  private final LogFile logFile;
  private final LongSupplier lastConsensusIndex;
  private final AtomicLong[] counts = new AtomicLong[Reason.values().length];
  private final Histogram latency = new Histogram();
  private final AtomicLong durable;

  /** @param lastConsensusIndex the consensusIndex of Neo4j's last committed transaction */
  public Neo4jLogForces(LogFile logFile, LongSupplier lastConsensusIndex) {
    this.logFile = logFile;
    this.lastConsensusIndex = lastConsensusIndex;
    this.durable = new AtomicLong(lastConsensusIndex.getAsLong());
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new AtomicLong();
    }
  }

  /**
   * Empties Neo4j's log buffer into the file and forces it, coordinated with appends and with
   * Neo4j's own forces (its group-force path: the buffer is emptied under the log file's monitor).
   * Everything committed before the call is durable after it.
   */
  public void force(Reason reason) throws IOException {
    long upTo = lastConsensusIndex.getAsLong();
    long began = System.nanoTime();
    logFile.forceAfterAppend(LogAppendEvent.NULL);
    latency.recordSince(began, System.nanoTime());
    counts[reason.ordinal()].incrementAndGet();
    durable.accumulateAndGet(upTo, Math::max);
  }

  @Override
  public void force(Purpose purpose) throws IOException {
    force(switch (purpose) {
      case LEASE -> Reason.LEASE;
      case USERS -> Reason.USERS;
      case SNAPSHOT -> Reason.SNAPSHOT;
    });
  }

  @Override
  public long durableConsensusIndex() {
    return durable.get();
  }

  /** How long each force graft asked for took (its count is the number of forces). */
  public HistogramSnapshot latency() {
    return latency.snapshot();
  }

  /** Forces graft asked for since this start of the database, for {@code reason}. */
  public long count(Reason reason) {
    return counts[reason.ordinal()].get();
  }

  /** Every force graft asked for since this start of the database. */
  public long total() {
    long sum = 0;
    for (AtomicLong c : counts) {
      sum += c.get();
    }
    return sum;
  }
}
