package io.graft.cluster.harness;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * A member's Raft snapshots on disk: {@code data/raft/neo4j/snapshots/<index>-<term>/}, complete
 * once its {@code manifest} is written.
 */
public final class Snapshots {
  private Snapshots() {}

  /** The member's snapshot folder (it may not exist yet). */
  public static Path dir(LocalCluster cluster, int member) {
    return cluster.home(member).resolve("data").resolve("raft").resolve("neo4j")
        .resolve("snapshots");
  }

  /** Index of the newest complete snapshot in {@code dir}, or -1 when there is none. */
  public static long newest(Path dir) {
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
   * Waits until the member has a complete snapshot at or past {@code minIndex}; returns the
   * newest one's index.
   */
  public static long awaitAtLeast(LocalCluster cluster, int member, long minIndex,
      Duration bound) {
    Path dir = dir(cluster, member);
    return Waits.until("a snapshot at or past index " + minIndex + " in " + dir, bound,
        () -> newest(dir), newest -> newest >= minIndex);
  }
}
