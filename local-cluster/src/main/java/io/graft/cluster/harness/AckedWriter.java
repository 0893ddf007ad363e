package io.graft.cluster.harness;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.Waits;
import java.time.Duration;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * A {@link BackgroundWriter} that writes over a direct ({@code bolt://}) session to the member it
 * takes for the leader. After a failed write (leader gone, not a leader, outcome unknown) it waits
 * at least {@link #RETRY_GAP}, then until {@link LocalCluster#findLeader} names a leader (at most
 * {@link #LOOKUP_BOUND}), and writes there next: what an application without a routing driver
 * does.
 */
public final class AckedWriter extends BackgroundWriter {
  static final Duration RETRY_GAP = Duration.ofMillis(100);
  static final Duration LOOKUP_BOUND = Duration.ofSeconds(2);

  private final LocalCluster cluster;
  private volatile int target;

  /** Writes {@code (:label {seq})}, starting on {@code leader}. */
  public AckedWriter(LocalCluster cluster, int leader, String label) {
    super("acked-writer", label);
    this.cluster = cluster;
    this.target = leader;
  }

  /** Writes {@code (:Acked {seq})}. */
  public AckedWriter(LocalCluster cluster, int leader) {
    this(cluster, leader, "Acked");
  }

  @Override
  public AckedWriter start() {
    super.start();
    return this;
  }

  @Override
  protected int write(long seq) {
    int member = target;
    try (Session session = cluster.probe().session(member)) {
      session.run("CREATE (:" + label + " {seq: $seq})", Values.parameters("seq", seq))
          .consume();
    }
    return member;
  }

  @Override
  protected void afterFailure() {
    Waits.after(RETRY_GAP, LOOKUP_BOUND, () -> {
      var leader = cluster.findLeader();
      leader.ifPresent(m -> target = m);
      return leader.isPresent();
    });
  }
}
