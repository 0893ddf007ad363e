package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.harness.Digests;
import io.graft.cluster.harness.MemberLogs;
import io.graft.cluster.harness.Snapshots;
import io.graft.it.ItClusters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * Issues 4+5 end to end on real servers: three members snapshot their database (store copy) every
 * few entries and prune their logs (thesis §5.1), so a 4th server added with raft.addMember on a
 * follower cannot catch up from the log alone: the leader streams its newest snapshot (§5.3), the
 * new member installs it (database stop, store + tx logs replaced, start), then follows the log,
 * is promoted to voter (§4.2.1), and ends with the same raft.digest() and element ids as the rest.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SnapshotJoinIT {
  private static final int INTERVAL = 40;
  private static final int RETAINED = 5;
  private static final int WRITES = 150;
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  /**
   * Neo4j preallocates each transaction log file to its rotation size (256 MiB); a store copy
   * ships only the written log bytes, so this runs with Neo4j's default (preallocation on) unless
   * -Dsnapshotjoin.preallocate=false.
   */
  private static final boolean PREALLOCATE =
      Boolean.parseBoolean(System.getProperty("snapshotjoin.preallocate", "true"));
  /** A snapshot of this tiny store (~1 MB) must not carry the preallocated 256 MiB. */
  private static final long SNAPSHOT_BYTES_MAX = 16L << 20;
  private static final Map<String, String> SNAPSHOT_SETTINGS = Map.of(
      "server.raft.snapshot_interval_entries", Integer.toString(INTERVAL),
      // every INTERVAL entries, however small they are next to the store (~1 MB)
      "server.raft.snapshot_log_ratio", "0",
      "server.raft.log_retained_entries", Integer.toString(RETAINED),
      "db.tx_log.preallocate", Boolean.toString(PREALLOCATE));
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = ItClusters.start("snapshot-join", 3, SNAPSHOT_SETTINGS);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNewMemberCatchesUpByStoreCopyThenLogAndBecomesAVoter() {
    int leader = cluster.awaitLeader();
    write(leader, 0, WRITES);
    for (int m = 1; m <= 3; m++) {
      long index = Snapshots.awaitAtLeast(cluster, m, WRITES / 2, CONVERGE);
      long bytes = snapshotBytes(m, index);
      if (bytes == 0) { // superseded meanwhile by a newer one
        index = Snapshots.newest(Snapshots.dir(cluster, m));
        bytes = snapshotBytes(m, index);
      }
      System.out.printf("[snapshot-join] member-%d snapshot at index %d: %d bytes"
          + " (db.tx_log.preallocate=%s)%n", m, index, bytes, PREALLOCATE);
      assertThat(bytes).as("member-%d's snapshot", m).isBetween(1L, SNAPSHOT_BYTES_MAX);
    }
    int follower = leader % 3 + 1;
    int fourth = cluster.startJoiner();
    String fourthId = cluster.memberId(fourth);
    long began = System.nanoTime();
    List<Record> rows;
    try (Session s = cluster.probe().session(follower)) {
      rows = s.run("CALL raft.addMember($m)", Values.parameters("m", fourthId)).list();
    }
    System.out.printf("[snapshot-join] raft.addMember(%s) on follower member-%d took %d ms%n",
        fourthId, follower, Duration.ofNanos(System.nanoTime() - began).toMillis());
    assertThat(rows).anySatisfy(r -> {
      assertThat(r.get("memberId").asString()).isEqualTo(fourthId);
      assertThat(r.get("voting").asBoolean()).isTrue();
    });
    // Entries after the install reach member-4 by the log.
    write(cluster.awaitLeader(), WRITES, 20);
    Map<Integer, Digests.Row> digests = Digests.awaitSame(cluster, CONVERGE);
    System.out.println("[snapshot-join] digests: " + digests);
    assertThat(MemberLogs.find(cluster, fourth, "snapshot installed"))
        .as("member-4 caught up by installing a snapshot, not by replaying the pruned log")
        .isPresent();
    List<String> ids = elementIds(fourth);
    assertThat(ids).hasSize(WRITES + 20);
    for (int m = 1; m <= 3; m++) {
      assertThat(elementIds(m)).as("element ids of member-%d vs member-4", m).isEqualTo(ids);
    }
  }

  private static void write(int member, int from, int count) {
    try (Session s = cluster.probe().session(member)) {
      for (int i = from; i < from + count; i++) {
        s.run("CREATE (:Snap {seq: $i})", Values.parameters("i", i)).consume();
      }
    }
  }

  /** The bytes of the files of snapshot {@code <index>-<term>} (0 if it was superseded). */
  private static long snapshotBytes(int member, long index) {
    Path dir = Snapshots.dir(cluster, member);
    try (Stream<Path> all = Files.list(dir)) {
      Optional<Path> snapshot =
          all.filter(p -> p.getFileName().toString().startsWith(index + "-")).findFirst();
      if (snapshot.isEmpty()) {
        return 0;
      }
      try (Stream<Path> files = Files.walk(snapshot.get())) {
        return files.filter(Files::isRegularFile).mapToLong(p -> {
          try {
            return Files.size(p);
          } catch (IOException e) {
            return 0; // superseded and deleted meanwhile
          }
        }).sum();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> elementIds(int member) {
    try (Session s = cluster.probe().session(member)) {
      return s.run("MATCH (n:Snap) RETURN elementId(n) AS id ORDER BY n.seq")
          .list(r -> r.get("id").asString());
    }
  }
}
