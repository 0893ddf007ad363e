package io.graft.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.bridge.snapshot.SnapshotManifest;
import io.graft.it.ItClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Issue 5 item 2 with real Neo4j (three embedded 5.26 DBMSs started on EMPTY homes, the graft
 * plugin, the LocalRaftGroup double for the log): member 2 applies nothing from the start (it
 * holds only the store it created itself); member 0 leads and writes nodes, relationships and an
 * index; a snapshot of member 0 is written and installed on member 2. Afterwards member 2
 * reports the snapshot's index as applied and has the same digest, element ids and tx id as
 * member 0; then it applies the log after the snapshot (entries up to the index are skipped) and
 * converges with the others. With Neo4j's default tx-log preallocation on, the snapshot carries
 * the store and only the log bytes written (not the 256 MiB preallocated file), and member 2 still
 * recovers from them, restarts on them and keeps following the log.
 */
class StoreCopySnapshotTest {
  private static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void snapshotOfTheLeaderInstalledOnAMemberThatAppliedNothingThenItFollowsTheLog()
      throws Exception {
    // Neo4j's default tx-log preallocation (256 MiB): the snapshot must not carry the zeros.
    try (FreshEmbeddedMembers cluster = new FreshEmbeddedMembers(tmp, 3, true)) {
      cluster.startAll();
      for (int m = 0; m < 3; m++) {
        // Each new store committed its own init transactions locally: tokens (2), indexes (3).
        assertThat(cluster.lastTxId(m)).isEqualTo(3);
      }
      String identity = "4:" + ItClusters.expectedIdentity(cluster.clusterId(), "neo4j");
      cluster.group().pauseApply(cluster.member(2), true);
      cluster.electAndAwaitLease(0);
      writeGraph(cluster, 0, 40);
      awaitApplied(cluster, 0, 1);

      Path snapshotDir = Files.createDirectories(tmp.resolve("snapshot"));
      long began = System.nanoTime();
      long index = cluster.snapshots(0).write(snapshotDir);
      long writeMs = (System.nanoTime() - began) / 1_000_000;
      assertThat(index).isEqualTo(cluster.group().commitIndex());
      assertThat(snapshotDir.resolve("graft-snapshot.properties")).isRegularFile();
      assertThat(snapshotDir.resolve("database/database_lock")).doesNotExist();
      assertThat(digest(cluster, 2)).isNotEqualTo(digest(cluster, 0));

      began = System.nanoTime();
      cluster.snapshots(2).install(snapshotDir, index);
      long installMs = (System.nanoTime() - began) / 1_000_000;
      SnapshotManifest manifest = SnapshotManifest.readFrom(snapshotDir);
      long storeBytes = directoryBytes(cluster.home(0).resolve("data/databases/neo4j"));
      long leaderLogBytes = directoryBytes(cluster.home(0).resolve("data/transactions/neo4j"));
      System.out.printf("store-copy snapshot at index %d (tx %d): %d files, %d bytes (leader:"
              + " store %d bytes, tx-log folder %d bytes with preallocation); write %d ms,"
              + " install (stop, swap, start) %d ms%n", index, manifest.lastTxId(),
          manifest.files(), manifest.bytes(), storeBytes, leaderLogBytes, writeMs, installMs);
      assertThat(leaderLogBytes).as("preallocation is on").isGreaterThan(256L << 20);
      assertThat(manifest.bytes()).as("store + the written log bytes, not the preallocated")
          .isLessThan(storeBytes + (4L << 20));
      assertThat(manifest.shipped()).extracting(f -> f.path())
          .anyMatch(p -> p.startsWith("transactions/neostore.transaction.db."))
          .anyMatch(p -> p.startsWith("transactions/checkpoint."));

      assertThat(appliedIndex(cluster, 2)).isEqualTo(index);
      assertThat(digest(cluster, 2)).isEqualTo(digest(cluster, 0));
      assertThat(elementIds(cluster, 2)).isEqualTo(elementIds(cluster, 0)).hasSize(40)
          .allSatisfy(id -> assertThat(id).startsWith(identity));
      assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));
      assertThat(indexNames(cluster, 2)).contains("person_name");

      cluster.group().pauseApply(cluster.member(2), false);
      writeGraph(cluster, 0, 10);
      awaitApplied(cluster, 0, 1, 2);
      assertThat(digest(cluster, 2)).isEqualTo(digest(cluster, 0)).isEqualTo(digest(cluster, 1));
      assertThat(elementIds(cluster, 2)).isEqualTo(elementIds(cluster, 0)).hasSize(50);
      assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));

      // The installed logs (cut at their written end, then appended to) survive a restart:
      // Neo4j reopens them, scans to the last entry and the member keeps following the log.
      cluster.restart(2);
      assertThat(digest(cluster, 2)).isEqualTo(digest(cluster, 0));
      assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));
      writeGraph(cluster, 0, 5);
      awaitApplied(cluster, 0, 1, 2);
      assertThat(digest(cluster, 2)).isEqualTo(digest(cluster, 0));
      assertThat(elementIds(cluster, 2)).isEqualTo(elementIds(cluster, 0)).hasSize(55);
      assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));

      rotatedLogsBeforeTheCheckpointStayBehind(cluster);
    }
  }

  /**
   * Member 0's log rotates (128 KiB files) several times while member 2 is paused: a snapshot
   * ships only the log file(s) from the checkpoint's on, member 2 recovers from them without the
   * older files and follows the log, also after a restart.
   */
  private void rotatedLogsBeforeTheCheckpointStayBehind(FreshEmbeddedMembers cluster)
      throws Exception {
    ((GraphDatabaseAPI) cluster.db(0)).getDependencyResolver().resolveDependency(Config.class)
        .setDynamic(GraphDatabaseSettings.logical_log_rotation_threshold, 128L << 10, "test");
    cluster.group().pauseApply(cluster.member(2), true);
    String blob = "x".repeat(30_000);
    for (int i = 0; i < 30; i++) {
      cluster.db(0).executeTransactionally("CREATE (:Blob {i: $i, data: $data})",
          Map.of("i", i, "data", blob));
    }
    awaitApplied(cluster, 0, 1);
    Path leaderLogs = cluster.home(0).resolve("data/transactions/neo4j");
    List<Long> leaderVersions = logVersions(leaderLogs);
    assertThat(leaderVersions).as("member 0 rotated its log").hasSizeGreaterThan(2);

    Path snapshotDir = Files.createDirectories(tmp.resolve("snapshot-after-rotation"));
    long index = cluster.snapshots(0).write(snapshotDir);
    List<Long> shipped = logVersions(snapshotDir.resolve("transactions"));
    System.out.printf("after rotation: member 0 has log versions %s, the snapshot ships %s%n",
        leaderVersions, shipped);
    assertThat(shipped).isNotEmpty().doesNotContain(leaderVersions.get(0))
        .hasSizeLessThan(leaderVersions.size())
        .endsWith(leaderVersions.get(leaderVersions.size() - 1));

    cluster.snapshots(2).install(snapshotDir, index);
    assertThat(digest(cluster, 2)).isEqualTo(digest(cluster, 0));
    assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));
    cluster.group().pauseApply(cluster.member(2), false);
    writeGraph(cluster, 0, 5);
    awaitApplied(cluster, 0, 1, 2);
    cluster.restart(2);
    assertThat(digest(cluster, 2)).isEqualTo(digest(cluster, 0)).isEqualTo(digest(cluster, 1));
    assertThat(elementIds(cluster, 2)).isEqualTo(elementIds(cluster, 0)).hasSize(60);
    assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));
  }

  /** The versions of the {@code neostore.transaction.db.N} files in {@code dir}, ascending. */
  private static List<Long> logVersions(Path dir) throws IOException {
    String prefix = "neostore.transaction.db.";
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix))
          .map(n -> Long.parseLong(n.substring(prefix.length()))).sorted().toList();
    }
  }

  private static long directoryBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long sum = 0;
      for (Path f : (Iterable<Path>) files::iterator) {
        sum += Files.isRegularFile(f) ? Files.size(f) : 0;
      }
      return sum;
    }
  }

  private static void writeGraph(FreshEmbeddedMembers cluster, int leader, int people) {
    cluster.db(leader).executeTransactionally(
        "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)");
    for (int i = 0; i < people; i++) {
      cluster.db(leader).executeTransactionally(
          "MERGE (c:City {name: 'c' + ($i % 3)}) CREATE (p:Person {name: 'p' + randomUUID()})"
              + "-[:LIVES_IN]->(c)", Map.of("i", i));
    }
  }

  private static void awaitApplied(FreshEmbeddedMembers cluster, int... members) {
    await().atMost(BOUND).until(allApplied(cluster, members));
  }

  private static Callable<Boolean> allApplied(FreshEmbeddedMembers cluster, int... members) {
    return () -> {
      long commit = cluster.group().commitIndex();
      for (int m : members) {
        if (cluster.group().appliedIndex(cluster.member(m)) < commit) {
          return false;
        }
      }
      return true;
    };
  }

  private static long appliedIndex(FreshEmbeddedMembers cluster, int member) {
    return cluster.read(member, tx ->
        (Long) tx.execute("CALL raft.status() YIELD appliedIndex").next().get("appliedIndex"));
  }

  private static String digest(FreshEmbeddedMembers cluster, int member) {
    return cluster.read(member, tx ->
        (String) tx.execute("CALL raft.digest() YIELD digest").next().get("digest"));
  }

  private static List<String> elementIds(FreshEmbeddedMembers cluster, int member) {
    return cluster.read(member, tx -> tx.execute(
            "MATCH (p:Person) RETURN elementId(p) AS id ORDER BY id")
        .stream().map(r -> (String) r.get("id")).toList());
  }

  private static List<String> indexNames(FreshEmbeddedMembers cluster, int member) {
    return cluster.read(member, (Transaction tx) -> tx.execute("SHOW INDEXES YIELD name")
        .stream().map(r -> (String) r.get("name")).toList());
  }
}
