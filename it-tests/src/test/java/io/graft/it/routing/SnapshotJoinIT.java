package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.MemberSpec;
import io.graft.cluster.NeoConfig;
import io.graft.cluster.NeoHome;
import io.graft.cluster.Ports;
import io.graft.cluster.ServerProcess;
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
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
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
      "server.raft.log_retained_entries", Integer.toString(RETAINED),
      "db.tx_log.preallocate", Boolean.toString(PREALLOCATE));
  private static LocalCluster cluster;
  private static ServerProcess fourth;
  private static MemberSpec fourthSpec;
  private static Driver fourthDriver;

  @BeforeAll
  static void startCluster() {
    cluster = RoutingFixtures.start("snapshot-join", 3, SNAPSHOT_SETTINGS);
  }

  @AfterAll
  static void stopCluster() {
    if (fourthDriver != null) {
      fourthDriver.close();
    }
    if (fourth != null) {
      fourth.stop(Duration.ofSeconds(30));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNewMemberCatchesUpByStoreCopyThenLogAndBecomesAVoter() {
    int leader = cluster.awaitLeader();
    write(leader, 0, WRITES);
    for (int m = 1; m <= 3; m++) {
      long index = awaitSnapshot(cluster.home(m), WRITES / 2);
      long bytes = snapshotBytes(cluster.home(m), index);
      if (bytes == 0) { // superseded meanwhile by a newer one
        index = RoutingFixtures.newestSnapshot(snapshotsDir(cluster.home(m)));
        bytes = snapshotBytes(cluster.home(m), index);
      }
      System.out.printf("[snapshot-join] member-%d snapshot at index %d: %d bytes"
          + " (db.tx_log.preallocate=%s)%n", m, index, bytes, PREALLOCATE);
      assertThat(bytes).as("member-%d's snapshot", m).isBetween(1L, SNAPSHOT_BYTES_MAX);
    }
    int follower = leader % 3 + 1;
    startFourth();
    String fourthId = "127.0.0.1:" + fourthSpec.raftAdvertisedPort();
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
    Map<Integer, String> digests = sameDigests(List.of(1, 2, 3, 4));
    System.out.println("[snapshot-join] digests: " + digests);
    assertThat(debugLog(fourth.home().logs()))
        .as("member-4 caught up by installing a snapshot, not by replaying the pruned log")
        .contains("snapshot installed");
    List<String> ids = elementIds(4);
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

  /** Waits (bounded) for a snapshot directory {@code <index>-<term>} past minIndex. */
  private static long awaitSnapshot(Path home, long minIndex) {
    Path dir = snapshotsDir(home);
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (true) {
      long newest = RoutingFixtures.newestSnapshot(dir);
      if (newest >= minIndex) {
        return newest;
      }
      assertThat(System.nanoTime()).as("a snapshot past index %d in %s", minIndex, dir)
          .isLessThan(deadline);
      RoutingFixtures.pause(Duration.ofMillis(100));
    }
  }

  /** The bytes of the files of snapshot {@code <index>-<term>} (0 if it was superseded). */
  private static long snapshotBytes(Path home, long index) {
    Path dir = snapshotsDir(home);
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

  private static Path snapshotsDir(Path home) {
    return home.resolve("data").resolve("raft").resolve("neo4j").resolve("snapshots");
  }

  private static String debugLog(Path logs) {
    try {
      return Files.readString(logs.resolve("debug.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A 4th server: founders as initial_members, its own address in nobody's config. */
  private static void startFourth() {
    int raftPort = Ports.freePort();
    fourthSpec = new MemberSpec(4, Ports.freePort(), Ports.freePort(), raftPort, raftPort);
    NeoHome home = new NeoHome(cluster.home(1).getParent().resolve("member-4"), fourthSpec);
    home.assemble(RoutingFixtures.pluginJar(), new NeoConfig(true,
        cluster.layout().advertisedRaftAddresses(), "384m", "64m", SNAPSHOT_SETTINGS));
    fourth = new ServerProcess(home, RoutingFixtures.lib(), true, false);
    fourth.start();
    fourth.awaitStarted(Duration.ofSeconds(180), line -> System.out.println("[member-4] " + line));
    fourthDriver = GraphDatabase.driver(fourthSpec.boltUri(), AuthTokens.none(),
        Config.builder().withLogging(Logging.none()).build());
  }

  private static Session session(int member) {
    return member == 4 ? fourthDriver.session(SessionConfig.forDatabase("neo4j"))
        : cluster.probe().session(member);
  }

  private static List<String> elementIds(int member) {
    try (Session s = session(member)) {
      return s.run("MATCH (n:Snap) RETURN elementId(n) AS id ORDER BY n.seq")
          .list(r -> r.get("id").asString());
    }
  }

  /** raft.digest() of the members once all report one applied index (bounded). */
  private static Map<Integer, String> sameDigests(List<Integer> members) {
    return RoutingFixtures.sameDigests(members, SnapshotJoinIT::session, CONVERGE);
  }
}
