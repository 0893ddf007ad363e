package io.graft.raft.api.metrics;

/**
 * Where a write spends its time on the leader. Each stage's histogram holds, per entry proposed on
 * this member while it led, the time from {@code RaftNode.propose} being called to the stage
 * (cumulative, so the stages can be read as a timeline; the difference of two medians is where
 * the time goes). Entries whose leader stepped down before a stage never record it.
 *
 * <p>A host adds its own later stages with the same {@link Histogram} type (the Neo4j plugin:
 * apply started, Neo4j commit done, committer released).
 */
public enum LeaderStage {
  /** The first AppendEntries carrying the entry was handed to the transport. */
  SENT("sent"),
  /** The leader's own log write holding the entry is durable (its fsync returned). */
  OWN_FSYNC_DONE("own_fsync_done"),
  /**
   * A majority holds the entry durably: the arrival of the acknowledgement that completed the
   * majority (or the leader's own fsync, if that came last).
   */
  QUORUM_DURABLE("quorum_durable"),
  /** The leader's owner thread advanced its commit index past the entry. */
  COMMITTED("committed"),
  /** The committed, locally durable entry was handed to the apply thread. */
  HANDED_TO_APPLY("handed_to_apply");

  private final String metricName;

  LeaderStage(String metricName) {
    this.metricName = metricName;
  }

  /** A stable snake_case name for exporters (e.g. a Prometheus label value). */
  public String metricName() {
    return metricName;
  }
}
