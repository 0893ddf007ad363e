package io.graft.it;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.neo4j.driver.Session;

/**
 * Real-process clusters for the ITs: the one place that turns the it-tests pom's system
 * properties ({@link ClusterPaths}, {@code graft.it.dir}) into {@link ClusterOptions}. What a test
 * then does with the cluster (leader, digests, joiners, writers, faults) is local-cluster's
 * harness: {@link LocalCluster} and {@code io.graft.cluster.harness}.
 */
public final class ItClusters {
  private ItClusters() {}

  /** A fresh folder per cluster under target/it-clusters, kept after the run for its logs. */
  public static Path freshDir(String name) {
    return Path.of(System.getProperty("graft.it.dir", "target/it-clusters"))
        .resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
  }

  /**
   * Test servers with the graft plugin, on EMPTY data folders: quick-start JVM flags, small
   * memory, progress lines on stdout prefixed with {@code [name]}. Chain {@code withFaultProxy},
   * {@code withExtraSettings}, {@code withAdminPassword} as needed.
   */
  public static ClusterOptions options(String name, int members) {
    return options(name, members, ClusterPaths.pluginJar());
  }

  /** As {@link #options} without the plugin: plain Neo4j servers (no {@code server.raft.*}). */
  public static ClusterOptions plainOptions(String name, int members) {
    return options(name, members, null);
  }

  private static ClusterOptions options(String name, int members, Path pluginJar) {
    return ClusterOptions.defaults(freshDir(name), ClusterPaths.lib(), pluginJar)
        .withMembers(members)
        .withFastStart(true)
        .withProgress(line -> System.out.println("[" + name + "] " + line));
  }

  /** Starts {@link #options} with these settings and waits for a leader. */
  public static LocalCluster start(String name, int members, Map<String, String> settings) {
    return LocalCluster.start(options(name, members).withExtraSettings(settings));
  }

  /** The single {@code long} a query returns, e.g. {@code MATCH (n) RETURN count(n)}. */
  public static long count(Session session, String cypher) {
    return session.run(cypher).single().get(0).asLong();
  }

  /**
   * The identity graft gives the replicated database, computed here independently of the plugin
   * code (a type-3 UUID of "graft/<cluster id>/<database>") so tests check the documented
   * contract, not the implementation against itself.
   */
  public static UUID expectedIdentity(String clusterId, String database) {
    return UUID.nameUUIDFromBytes(
        ("graft/" + clusterId + "/" + database).getBytes(StandardCharsets.UTF_8));
  }
}
