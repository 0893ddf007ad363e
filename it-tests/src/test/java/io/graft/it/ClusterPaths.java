package io.graft.it;

import io.graft.cluster.PluginJar;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the real-process ITs find Neo4j's jars and the plugin jar: the system properties the
 * it-tests pom sets, with the in-repo build outputs as defaults. One place for every fixture.
 */
public final class ClusterPaths {
  private ClusterPaths() {}

  public static Path lib() {
    return Path.of(System.getProperty("graft.neo4j.lib", "../local-cluster/target/neo4j-lib"))
        .toAbsolutePath().normalize();
  }

  public static Path pluginJar() {
    return Path.of(System.getProperty("graft.plugin.jar", "../plugin/target/graft-plugin.jar"))
        .toAbsolutePath().normalize();
  }

  /** Why the plugin cannot be used (tests that need it are skipped with this message). */
  public static Optional<String> pluginProblem() {
    return PluginJar.problem(pluginJar());
  }
}
