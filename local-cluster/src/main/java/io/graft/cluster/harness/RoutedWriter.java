package io.graft.cluster.harness;

import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Values;

/**
 * A {@link BackgroundWriter} that writes one managed transaction at a time through a {@code
 * neo4j://} driver, so the driver alone decides where writes go (graft's routing table, refreshed
 * on NotALeader or a dead writer); a write is acknowledged when {@code executeWrite} returned.
 */
public final class RoutedWriter extends BackgroundWriter {
  private final Driver driver;

  /** Writes {@code (:label {seq})} through {@code driver} (the caller closes it). */
  public RoutedWriter(Driver driver, String label) {
    super("routed-writer", label);
    this.driver = driver;
  }

  /** Writes {@code (:Routed {seq})}. */
  public RoutedWriter(Driver driver) {
    this(driver, "Routed");
  }

  @Override
  public RoutedWriter start() {
    super.start();
    return this;
  }

  @Override
  protected int write(long seq) {
    try (Session session = driver.session(SessionConfig.forDatabase("neo4j"))) {
      session.executeWrite(tx -> tx.run("CREATE (:" + label + " {seq: $seq})",
          Values.parameters("seq", seq)).consume());
    }
    return -1;
  }
}
