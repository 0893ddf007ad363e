package io.graft.it.routing;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.cluster.PluginJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;

/** Real-process clusters for the routing/membership ITs (same properties as the process tier). */
final class RoutingFixtures {
  private RoutingFixtures() {}

  static Path itDir() {
    return Path.of(System.getProperty("graft.it.dir", "target/it-clusters")).toAbsolutePath();
  }

  static Path lib() {
    return Path.of(System.getProperty("graft.neo4j.lib", "../local-cluster/target/neo4j-lib"))
        .toAbsolutePath().normalize();
  }

  static Path pluginJar() {
    return Path.of(System.getProperty("graft.plugin.jar", "../plugin/target/graft-plugin.jar"))
        .toAbsolutePath().normalize();
  }

  static Optional<String> pluginProblem() {
    return PluginJar.problem(pluginJar());
  }

  static ClusterOptions options(String name, int members, Map<String, String> settings) {
    return ClusterOptions.defaults(itDir().resolve(name + "-" + System.currentTimeMillis()),
            lib(), pluginJar())
        .withMembers(members)
        .withFastStart(true)
        .withExtraSettings(settings)
        .withProgress(line -> System.out.println("[" + name + "] " + line));
  }

  static LocalCluster start(String name, int members, Map<String, String> settings) {
    return LocalCluster.start(options(name, members, settings));
  }

  /**
   * An official driver with a {@code neo4j://} URI: it fetches graft's routing table from the
   * given member and follows it; managed transactions retry for up to {@code retry}.
   */
  static Driver routingDriver(String hostPort, Duration retry) {
    return GraphDatabase.driver("neo4j://" + hostPort, AuthTokens.none(), Config.builder()
        .withLogging(Logging.none())
        .withConnectionTimeout(2, TimeUnit.SECONDS)
        .withMaxTransactionRetryTime(retry.toMillis(), TimeUnit.MILLISECONDS)
        .build());
  }

  static String hostPort(LocalCluster cluster, int member) {
    return cluster.boltUri(member).substring("bolt://".length());
  }

  /** Bounded polling interval for hand-written waits (not a sleep in the test's logic). */
  static void pause(Duration d) {
    LockSupport.parkNanos(d.toNanos());
  }
}
