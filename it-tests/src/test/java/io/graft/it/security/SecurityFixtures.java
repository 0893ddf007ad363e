package io.graft.it.security;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.it.ClusterPaths;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AuthToken;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;

/** Real-process clusters with authentication on (same system properties as the process tier). */
final class SecurityFixtures {
  private SecurityFixtures() {}

  static Path lib() {
    return ClusterPaths.lib();
  }

  static Path pluginJar() {
    return ClusterPaths.pluginJar();
  }

  /** Three members, auth on, {@code neo4j}'s initial password set on each home before start. */
  static LocalCluster start(String name, String adminPassword, Map<String, String> settings) {
    Path dir = Path.of(System.getProperty("graft.it.dir", "target/it-clusters"))
        .resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
    return LocalCluster.start(ClusterOptions.defaults(dir, lib(), pluginJar())
        .withMembers(3)
        .withFastStart(true)
        .withExtraSettings(settings)
        .withAdminPassword(adminPassword)
        .withProgress(line -> System.out.println("[" + name + "] " + line)));
  }

  static String hostPort(LocalCluster cluster, int member) {
    return cluster.boltUri(member).substring("bolt://".length());
  }

  /** A direct driver to one member with these credentials; the caller closes it. */
  static Driver direct(LocalCluster cluster, int member, AuthToken auth) {
    return GraphDatabase.driver(cluster.boltUri(member), auth, config(0));
  }

  /** A {@code neo4j://} driver bootstrapped from one member; managed transactions retry. */
  static Driver routed(LocalCluster cluster, int member, AuthToken auth) {
    return GraphDatabase.driver("neo4j://" + hostPort(cluster, member), auth, config(30));
  }

  private static Config config(int retrySeconds) {
    return Config.builder()
        .withoutEncryption()
        .withLogging(Logging.none())
        .withConnectionTimeout(3, TimeUnit.SECONDS)
        .withMaxTransactionRetryTime(retrySeconds, TimeUnit.SECONDS)
        .build();
  }
}
