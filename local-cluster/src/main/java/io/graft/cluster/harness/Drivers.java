package io.graft.cluster.harness;

import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AuthToken;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;

/** Official drivers onto a {@link LocalCluster}, configured the same way in every test. */
public final class Drivers {
  private Drivers() {}

  /**
   * A {@code neo4j://} driver bootstrapped from {@code member}: it fetches graft's routing table
   * and follows it; managed transactions retry for up to {@code retry}. Logs in as the cluster's
   * own probe does. The caller closes it.
   */
  public static Driver routing(LocalCluster cluster, int member, Duration retry) {
    return routing(cluster, member, cluster.probe().auth(), retry);
  }

  /** {@link #routing(LocalCluster, int, Duration)} with these credentials. */
  public static Driver routing(LocalCluster cluster, int member, AuthToken auth, Duration retry) {
    return GraphDatabase.driver("neo4j://" + cluster.boltAddress(member), auth, Config.builder()
        .withoutEncryption()
        .withLogging(Logging.none())
        .withConnectionTimeout(2, TimeUnit.SECONDS)
        .withMaxTransactionRetryTime(retry.toMillis(), TimeUnit.MILLISECONDS)
        .build());
  }

  /** A direct ({@code bolt://}) driver to one member with these credentials, no retries. */
  public static Driver direct(LocalCluster cluster, int member, AuthToken auth) {
    return GraphDatabase.driver(cluster.boltUri(member), auth, Config.builder()
        .withoutEncryption()
        .withLogging(Logging.none())
        .withConnectionTimeout(3, TimeUnit.SECONDS)
        .withMaxTransactionRetryTime(0, TimeUnit.SECONDS)
        .build());
  }
}
