package io.graft.it.process;

import io.graft.cluster.ClusterOptions;
import io.graft.it.ClusterPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.neo4j.driver.Session;

/** Options for real-process clusters, from the system properties the it-tests pom sets. */
final class ProcessFixtures {
  private ProcessFixtures() {}

  static Path lib() {
    return ClusterPaths.lib();
  }

  static Path pluginJar() {
    return ClusterPaths.pluginJar();
  }

  /** A fresh folder per cluster under target/it-clusters, kept after the run for its logs. */
  static Path freshDir(String name) {
    return Path.of(System.getProperty("graft.it.dir", "target/it-clusters"))
        .resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
  }

  /** Test servers: quick-start JVM flags, small memory, progress lines on stdout. */
  static ClusterOptions options(String name, int members, boolean withPlugin, boolean proxy) {
    return ClusterOptions.defaults(freshDir(name), lib(), withPlugin ? pluginJar() : null)
        .withMembers(members)
        .withFaultProxy(proxy)
        .withFastStart(true)
        .withExtraSettings(Map.of())
        .withProgress(line -> System.out.println("[" + name + "] " + line));
  }

  /** Bounded polling interval for hand-written waits (not a sleep in the test's logic). */
  static void pause(Duration duration) {
    LockSupport.parkNanos(TimeUnit.NANOSECONDS.convert(duration));
  }

  static long count(Session session, String cypher) {
    return session.run(cypher).single().get(0).asLong();
  }
}
