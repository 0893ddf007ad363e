package io.graft.raft.runtime;

import io.graft.raft.api.metrics.Counter;
import io.graft.raft.api.metrics.Histogram;
import io.graft.raft.api.metrics.HistogramSnapshot;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.api.metrics.RaftMetrics;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Records a member's metrics ({@link RaftMetrics}): the owner thread tells it when each of its own
 * proposals reached a {@link LeaderStage}; it keeps, per index, when the entry was proposed (a
 * ring, so nothing is allocated per entry) and how far each stage got, and records one histogram
 * observation per entry and stage. Stage methods run on the owner thread only; the counters and
 * histograms may be fed from any thread; {@link #snapshot} from any thread.
 */
final class RaftMetricsRecorder {
  /** Proposals tracked at once; older ones (an enormous backlog) are simply not recorded. */
  private static final int RING = 1 << 16;

  private static final LeaderStage[] STAGES = LeaderStage.values();

  private final Histogram[] stages = new Histogram[STAGES.length];
  final Histogram fsyncLatency = new Histogram();
  final Counter fsyncs = new Counter();
  final Counter entriesPersisted = new Counter();
  final Counter proposals = new Counter();
  final Counter leaderChanges = new Counter();
  private volatile long electionsStarted;
  private volatile long preVotesStarted;

  // Owner thread only.
  private final long[] ringIndex = new long[RING];
  private final long[] ringProposedNanos = new long[RING];
  private final long[] reachedUpTo = new long[STAGES.length];
  /** The term this member leads in, or -1. */
  private long leadingTerm = -1;

  RaftMetricsRecorder() {
    for (int i = 0; i < stages.length; i++) {
      stages[i] = new Histogram();
    }
  }

  /**
   * Owner: whether this member leads, in {@code term}; {@code commitIndex} is where a new
   * leadership starts counting (its own proposals all follow it). Nothing is recorded while it
   * does not lead.
   */
  void leading(boolean leader, long term, long commitIndex) {
    long t = leader ? term : -1;
    if (t != leadingTerm && leader) {
      Arrays.fill(ringIndex, 0);
      Arrays.fill(reachedUpTo, commitIndex);
    }
    leadingTerm = t;
  }

  /** Owner: {@code batch} was proposed as the entries from {@code firstIndex} on. */
  void proposed(long firstIndex, List<Event.Proposal> batch) {
    proposals.add(batch.size());
    if (leadingTerm < 0) {
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      long index = firstIndex + i;
      int slot = (int) (index & (RING - 1));
      ringIndex[slot] = index;
      ringProposedNanos[slot] = batch.get(i).proposedNanos();
    }
  }

  /** Owner: every own proposal up to {@code index} reached {@code stage} at {@code atNanos}. */
  void reached(LeaderStage stage, long index, long atNanos) {
    int s = stage.ordinal();
    long from = reachedUpTo[s];
    if (leadingTerm < 0 || index <= from) {
      return;
    }
    reachedUpTo[s] = index;
    Histogram h = stages[s];
    for (long i = Math.max(from + 1, index - RING + 1); i <= index; i++) {
      int slot = (int) (i & (RING - 1));
      if (ringIndex[slot] == i) {
        h.recordNanos(atNanos - ringProposedNanos[slot]);
      }
    }
  }

  /** Owner: the machine's election counters, published for other threads. */
  void elections(long started, long preVotes) {
    electionsStarted = started;
    preVotesStarted = preVotes;
  }

  /** Any thread: one log fsync that took {@code nanos} and covered {@code entries} entries. */
  void fsynced(long nanos, long entries) {
    fsyncLatency.recordNanos(nanos);
    fsyncs.increment();
    entriesPersisted.add(entries);
  }

  RaftMetrics snapshot(long term) {
    Map<LeaderStage, HistogramSnapshot> out = new EnumMap<>(LeaderStage.class);
    for (LeaderStage s : STAGES) {
      out.put(s, stages[s.ordinal()].snapshot());
    }
    return new RaftMetrics(
        term,
        proposals.get(),
        electionsStarted,
        preVotesStarted,
        leaderChanges.get(),
        fsyncs.get(),
        entriesPersisted.get(),
        fsyncLatency.snapshot(),
        out);
  }
}
