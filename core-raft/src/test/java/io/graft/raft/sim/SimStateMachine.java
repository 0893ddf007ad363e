package io.graft.raft.sim;

import io.graft.raft.message.LogEntry;
import java.util.Arrays;

/**
 * A tiny deterministic state machine: it records, per applied index, the entry's digest (term, type
 * and payload). Its applied state is durable (like Neo4j's {@code consensusIndex}, written
 * atomically with the data), so it survives crashes; the host skips re-delivered entries {@code <=}
 * {@link #lastAppliedIndex()}, and the simulator checks that each skipped entry is the one applied.
 */
public final class SimStateMachine {
  private long[] digests = new long[64];
  private long lastAppliedIndex;

  public long lastAppliedIndex() {
    return lastAppliedIndex;
  }

  /**
   * Applies the next entry; it must be exactly {@code lastAppliedIndex + 1} (no gaps, in order).
   */
  public void apply(LogEntry e) {
    if (e.index() != lastAppliedIndex + 1) {
      throw new SafetyViolation(
          "apply out of order: applied up to " + lastAppliedIndex + ", got " + e);
    }
    int position = (int) lastAppliedIndex;
    if (position == digests.length) {
      digests = Arrays.copyOf(digests, position * 2);
    }
    digests[position] = Hashing.entry(e);
    lastAppliedIndex++;
  }

  /** A copy of the applied digests 1..lastAppliedIndex: this state machine's snapshot. */
  public long[] snapshot() {
    return Arrays.copyOf(digests, (int) lastAppliedIndex);
  }

  /** Replaces the whole state by a snapshot (thesis §5.3 receiver rule 8). */
  public void install(long[] snapshot) {
    digests = Arrays.copyOf(snapshot, Math.max(64, snapshot.length));
    lastAppliedIndex = snapshot.length;
  }

  /** Digest of the entry applied at {@code index} (which must be applied). */
  public long digest(long index) {
    if (index < 1 || index > lastAppliedIndex) {
      throw new IllegalArgumentException(
          "index " + index + " not applied (" + lastAppliedIndex + ")");
    }
    return digests[(int) index - 1];
  }
}
