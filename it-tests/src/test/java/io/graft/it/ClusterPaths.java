package io.graft.it;

import io.graft.cluster.PluginJar;
import java.nio.file.Path;

/**
 * Where the real-process ITs find Neo4j's jars and the plugin jar: the system properties the
 * it-tests pom sets, with the in-repo build outputs as defaults. One place for every fixture.
 *
 * <p>A real-server test that needs the plugin FAILS when the jar is missing or broken: it never
 * skips, so a packaging regression cannot turn the suite green. {@link #pluginJar()} is the one
 * door to the jar and checks it every time.
 */
public final class ClusterPaths {
  private ClusterPaths() {}

  public static Path lib() {
    return Path.of(System.getProperty("graft.neo4j.lib", "../local-cluster/target/neo4j-lib"))
        .toAbsolutePath().normalize();
  }

  /**
   * The graft plugin jar, checked (present, readable, declares its settings and its extension).
   *
   * @throws IllegalStateException if it is missing or broken, naming what is wrong and how to
   *     build it: the calling test fails
   */
  public static Path pluginJar() {
    Path jar = Path.of(System.getProperty("graft.plugin.jar", "../plugin/target/graft-plugin.jar"))
        .toAbsolutePath().normalize();
    PluginJar.problem(jar).ifPresent(problem -> {
      throw new IllegalStateException("this real-server test needs the graft plugin jar and fails"
          + " without it (no skip: a packaging regression must not pass): " + problem);
    });
    return jar;
  }
}
