package io.graft.bridge.capture;

import io.graft.raft.api.metrics.Histogram;
import io.graft.raft.api.metrics.HistogramSnapshot;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where a write spends its time on this member after core-raft's stages (the Neo4j side; core-raft
 * records proposed -> sent -> own fsync -> quorum durable -> committed -> handed to apply). Like
 * core-raft's, each stage is the time from the entry's proposal ({@code RaftNode.propose} being
 * called) to the stage, so all stages read as one timeline; recorded for this member's own
 * transactions only (on the leader), with core-raft's {@link Histogram} type.
 */
public final class WriteStages {
  /** Neo4j-side stages of a write on the member that proposed it. */
  public enum Stage {
    /**
     * Before the timeline: from the kernel handing the transaction to graft's commit process to
     * its entry being encoded (the commands serialized once, straight into the entry).
     */
    ENCODED("encoded"),
    /** The apply thread started the Neo4j commit of the chain holding the entry. */
    APPLY_STARTED("apply_started"),
    /** Neo4j's commit of that chain returned (appended, applied to the store, closed). */
    NEO4J_COMMIT_DONE("neo4j_commit_done"),
    /** The committing thread woke up with its transaction id (the client is answered next). */
    COMMITTER_RELEASED("committer_released");

    private final String metricName;

    Stage(String metricName) {
      this.metricName = metricName;
    }

    /** A stable snake_case name (a row of {@code raft.latency()}, a metric label). */
    public String metricName() {
      return metricName;
    }
  }

  private final Map<Stage, Histogram> histograms = new EnumMap<>(Stage.class);

  public WriteStages() {
    for (Stage s : Stage.values()) {
      histograms.put(s, new Histogram());
    }
  }

  void record(Stage stage, long nanos) {
    histograms.get(stage).recordNanos(nanos);
  }

  /** Every stage's histogram since this member's database started. */
  public Map<Stage, HistogramSnapshot> snapshot() {
    Map<Stage, HistogramSnapshot> out = new EnumMap<>(Stage.class);
    histograms.forEach((stage, h) -> out.put(stage, h.snapshot()));
    return Collections.unmodifiableMap(out);
  }
}
