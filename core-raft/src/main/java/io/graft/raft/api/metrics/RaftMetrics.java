package io.graft.raft.api.metrics;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable snapshot of one member's metrics ({@code RaftNode.metrics()}). Counters count since
 * the node started; histograms hold every observation since then (subtract an earlier snapshot
 * with {@link HistogramSnapshot#minus} for a window).
 *
 * @param term current term
 * @param proposals entries proposed on this member while it led (accepted into its log)
 * @param electionsStarted times this member became a candidate (its term went up by its own
 *     election; a leadership transfer's election included)
 * @param preVotesStarted PreVote rounds this member started (thesis §9.6); an election that no
 *     fault caused shows up here first
 * @param leaderChanges times the leader this member knows changed (to another member or to
 *     itself), the first leader it learned of included
 * @param fsyncs data fsyncs of the Raft log (each covers every write before it: group commit)
 * @param entriesPersisted log entries written and covered by those fsyncs
 * @param fsyncLatency duration of each log fsync
 * @param leaderStages per-entry time from proposal to each {@link LeaderStage}, recorded while
 *     this member leads
 */
public record RaftMetrics(
    long term,
    long proposals,
    long electionsStarted,
    long preVotesStarted,
    long leaderChanges,
    long fsyncs,
    long entriesPersisted,
    HistogramSnapshot fsyncLatency,
    Map<LeaderStage, HistogramSnapshot> leaderStages) {

  /** A node that keeps no metrics (test doubles). */
  public static final RaftMetrics EMPTY =
      new RaftMetrics(0, 0, 0, 0, 0, 0, 0, HistogramSnapshot.EMPTY, Map.of());

  public RaftMetrics {
    EnumMap<LeaderStage, HistogramSnapshot> stages = new EnumMap<>(LeaderStage.class);
    for (LeaderStage s : LeaderStage.values()) {
      stages.put(s, leaderStages.getOrDefault(s, HistogramSnapshot.EMPTY));
    }
    leaderStages = Collections.unmodifiableMap(stages);
  }

  /** The histogram of one stage (empty if never recorded). */
  public HistogramSnapshot stage(LeaderStage stage) {
    return leaderStages.get(stage);
  }

  /** Mean entries per log fsync (group commit factor); 0 before the first fsync. */
  public double entriesPerFsync() {
    return fsyncs == 0 ? 0 : (double) entriesPersisted / fsyncs;
  }
}
