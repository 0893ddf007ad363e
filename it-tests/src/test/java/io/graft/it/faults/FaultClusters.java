package io.graft.it.faults;

import io.graft.cluster.ClusterOptions;
import io.graft.it.ClusterPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * The fault ITs' clusters and their one way of waiting: {@link #poll}, a bounded Awaitility wait
 * that hands back the last value it saw, so a step whose effect never shows records what it saw
 * (no sleep or park in a test).
 */
final class FaultClusters {
  private FaultClusters() {}

  /** Test servers with the graft plugin on empty data folders, one fresh folder per cluster. */
  static ClusterOptions options(String name, int members, Map<String, String> settings) {
    Path dir = Path.of(System.getProperty("graft.it.dir", "target/it-clusters"))
        .resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
    return ClusterOptions.defaults(dir, ClusterPaths.lib(), ClusterPaths.pluginJar())
        .withMembers(members)
        .withFastStart(true)
        .withExtraSettings(settings)
        .withProgress(line -> System.out.println("[" + name + "] " + line));
  }

  /** What {@link #poll} saw: whether the condition held, and the last value. */
  record Polled<T>(boolean held, T last) {}

  /**
   * Asks {@code value} at once and then every {@code every} until {@code done} holds on it, at
   * most {@code atMost}. Never throws on a timeout: the caller decides what a missing effect means.
   */
  static <T> Polled<T> poll(Duration atMost, Duration every, Supplier<T> value,
      Predicate<T> done) {
    AtomicReference<T> last = new AtomicReference<>();
    try {
      Awaitility.await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(every)
          .until(() -> {
            T v = value.get();
            last.set(v);
            return done.test(v);
          });
      return new Polled<>(true, last.get());
    } catch (ConditionTimeoutException e) {
      return new Polled<>(false, last.get());
    }
  }

  /** A counter's value once two reads {@code every} apart agree (at most {@code atMost}). */
  static long settled(Duration atMost, Duration every, Supplier<Long> counter) {
    long[] previous = {counter.get()};
    return poll(atMost, every, () -> {
      long before = previous[0];
      long now = counter.get();
      previous[0] = now;
      return new long[] {before, now};
    }, pair -> pair[0] == pair[1]).last()[1];
  }

  /**
   * Polls {@code raft.digest()} on {@code members} until all answer the same applied index and
   * digest (bounded by {@code converge}); returns the digests by member.
   */
  static Map<Integer, String> sameDigests(List<Integer> members, IntFunction<Session> session,
      Duration converge) {
    Polled<Map<Integer, String>> seen = poll(converge, Duration.ofMillis(250), () -> {
      Map<Integer, String> digests = new LinkedHashMap<>();
      Set<Long> indexes = new HashSet<>();
      for (int m : new ArrayList<>(members)) {
        try (Session s = session.apply(m)) {
          Record r = s.run("CALL raft.digest()").single();
          digests.put(m, r.get("digest").asString());
          indexes.add(r.get("appliedIndex").asLong());
        } catch (RuntimeException e) {
          digests.put(m, "unreachable: " + e.getMessage());
          indexes.add(-1L);
        }
      }
      return indexes.size() == 1 && !indexes.contains(-1L)
          && new HashSet<>(digests.values()).size() == 1 ? digests : Map.<Integer, String>of(
              -1, "not converged: " + digests);
    }, d -> !d.containsKey(-1));
    if (!seen.held()) {
      throw new AssertionError("members " + members + " did not converge on one digest within "
          + converge + ": " + seen.last());
    }
    return seen.last();
  }
}
