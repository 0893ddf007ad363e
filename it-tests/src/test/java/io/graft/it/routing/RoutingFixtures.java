package io.graft.it.routing;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.it.ClusterPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/** Real-process clusters for the routing/membership ITs (same properties as the process tier). */
final class RoutingFixtures {
  private RoutingFixtures() {}

  static Path itDir() {
    return Path.of(System.getProperty("graft.it.dir", "target/it-clusters")).toAbsolutePath();
  }

  static Path lib() {
    return ClusterPaths.lib();
  }

  static Path pluginJar() {
    return ClusterPaths.pluginJar();
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

  /**
   * Index of the newest complete snapshot ({@code <index>-<term>/manifest}) in a member's snapshot
   * directory, or -1 when there is none.
   */
  static long newestSnapshot(Path dir) {
    if (!Files.isDirectory(dir)) {
      return -1;
    }
    long newest = -1;
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        String name = p.getFileName().toString();
        int dash = name.indexOf('-');
        if (dash > 0 && Files.exists(p.resolve("manifest"))) {
          newest = Math.max(newest, Long.parseLong(name.substring(0, dash)));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return newest;
  }

  /**
   * Polls {@code raft.digest()} on {@code members} until all answer the same applied index and
   * digest (bounded by {@code converge}); returns the digests by member.
   */
  static Map<Integer, String> sameDigests(List<Integer> members, IntFunction<Session> session,
      Duration converge) {
    long deadline = System.nanoTime() + converge.toNanos();
    Map<Integer, String> last = Map.of();
    while (System.nanoTime() < deadline) {
      Map<Integer, String> digests = new LinkedHashMap<>();
      Set<Long> indexes = new HashSet<>();
      for (int m : new ArrayList<>(members)) {
        try (Session s = session.apply(m)) {
          Record r = s.run("CALL raft.digest()").single();
          digests.put(m, r.get("digest").asString());
          indexes.add(r.get("appliedIndex").asLong());
        } catch (RuntimeException e) {
          digests.put(m, "unreachable: " + e.getMessage());
        }
      }
      last = digests;
      if (indexes.size() == 1 && !indexes.contains(-1L)
          && new HashSet<>(digests.values()).size() == 1) {
        return digests;
      }
      RoutingFixtures.pause(Duration.ofMillis(250));
    }
    throw new AssertionError("members " + members + " did not converge on one digest within "
        + converge + ": " + last);
  }
}
