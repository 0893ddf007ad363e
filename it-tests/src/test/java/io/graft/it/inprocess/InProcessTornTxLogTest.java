package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * A torn tail at the end of Neo4j's transaction log (what a failed append leaves, e.g. on a full
 * disk: {@code faults/DiskFullIT -Ddiskfull.txlog=true} on real servers) and graft's rule for it
 * ({@code plugin/TornTxLogTail}): Neo4j cuts it only at the start after a failed apply was
 * recorded, and graft starts the database only if recovery kept everything that was durable then;
 * the member then catches up from the Raft log.
 */
class InProcessTornTxLogTest {
  /** {@code plugin/TornTxLogTail.FILE_NAME}: written by graft when an apply fails. */
  private static final String FAILED_APPEND = "neo4j-log-failed-append";

  @Test
  void aTornTailIsCutOnlyAfterAFailedApplyAndOnlyIfNothingDurableIsLost(@TempDir Path dir)
      throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, InProcessCluster.noExtra())) {
      cluster.startAll();
      cluster.electAndAwaitLease(0);
      for (int i = 0; i < 10; i++) {
        cluster.db(0).executeTransactionally("CREATE (:Event {seq: $i})", Map.of("i", i));
      }
      cluster.awaitConverged();
      long durable = consensusIndex(cluster, 2);

      // Member 2 stops (a clean shutdown: everything durable), misses writes, and its log gets a
      // torn tail: unreadable bytes after its last entry.
      cluster.stop(2);
      for (int i = 10; i < 15; i++) {
        cluster.db(0).executeTransactionally("CREATE (:Event {seq: $i})", Map.of("i", i));
      }
      tearTail(cluster.home(2));

      // No failed apply recorded: Neo4j's default stands, it refuses to recover.
      startAndAwaitFailure(cluster, 2, "Error reading transaction logs, recovery not possible");

      // A failed apply recorded with a durable index that recovery cannot reach: Neo4j cuts the
      // tail, graft finds a durable transaction missing and refuses to start the database.
      Files.writeString(cluster.raftDir(2).resolve(FAILED_APPEND), (durable + 1) + "\n");
      startAndAwaitFailure(cluster, 2, "lost durable transactions");
      assertThat(debugLog(cluster, 2)).contains("durable up to Raft index " + (durable + 1));
      assertThat(cluster.raftDir(2).resolve(FAILED_APPEND)).exists();

      // The real case: durable up to what survives. Recovery cuts the torn tail, graft checks,
      // the member catches up from the Raft log and ends identical.
      tearTail(cluster.home(2));
      Files.writeString(cluster.raftDir(2).resolve(FAILED_APPEND), durable + "\n");
      cluster.start(2);
      cluster.awaitConverged();
      assertThat(cluster.raftDir(2).resolve(FAILED_APPEND)).doesNotExist();
      assertThat(debugLog(cluster, 2)).contains("recovered after a failed apply");
      try (Stream<Path> kept = Files.list(cluster.home(2).resolve("data").resolve("databases")
          .resolve(InProcessCluster.DB).resolve("corrupted-neostore.transaction.db"))) {
        assertThat(kept).as("Neo4j keeps what it cut").isNotEmpty();
      }
      assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));
      assertThat(digest(cluster, 2)).isEqualTo(digest(cluster, 0));
      assertThat((Object) cluster.read(2, tx -> tx.execute(
          "MATCH (e:Event) RETURN count(e) AS c").next().get("c"))).isEqualTo(15L);
    }
  }

  /**
   * Writes unreadable bytes a little after the last entry of the member's newest transaction-log
   * file (after its last non-zero byte, so no complete entry is touched).
   */
  private static void tearTail(Path home) throws IOException {
    Path dir = home.resolve("data").resolve("transactions").resolve(InProcessCluster.DB);
    Path newest;
    try (Stream<Path> files = Files.list(dir)) {
      newest = files.filter(p -> p.getFileName().toString()
              .matches("neostore\\.transaction\\.db\\.\\d+"))
          .max(Comparator.comparingLong(p -> Long.parseLong(
              p.getFileName().toString().substring("neostore.transaction.db.".length()))))
          .orElseThrow();
    }
    byte[] all = Files.readAllBytes(newest);
    int end = all.length;
    while (end > 0 && all[end - 1] == 0) {
      end--;
    }
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.seek(end + 64);
      f.write(new byte[] {24, 7, 1, 9, 5, 3, 0, 42, 17, 99});
    }
  }

  /** Starts member i, waits until its debug.log says why its database failed, stops it. */
  private static void startAndAwaitFailure(InProcessCluster cluster, int i, String why)
      throws IOException {
    long from = Files.exists(debugLogFile(cluster, i)) ? Files.size(debugLogFile(cluster, i)) : 0;
    cluster.launch(i);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        byte[] all = Files.readAllBytes(debugLogFile(cluster, i));
        int start = (int) Math.min(from, all.length);
        return new String(all, start, all.length - start, StandardCharsets.UTF_8).contains(why);
      });
      assertThat(cluster.available(i)).as("member " + i + "'s database is down").isFalse();
    } finally {
      cluster.stop(i);
    }
  }

  private static long consensusIndex(InProcessCluster cluster, int i) {
    return ((GraphDatabaseAPI) cluster.db(i)).getDependencyResolver()
        .resolveDependency(TransactionIdStore.class).getLastCommittedTransaction()
        .consensusIndex();
  }

  private static Object digest(InProcessCluster cluster, int i) {
    return cluster.read(i, tx -> tx.execute("CALL raft.digest()").next().get("digest"));
  }

  private static String debugLog(InProcessCluster cluster, int i) throws IOException {
    return Files.readString(debugLogFile(cluster, i));
  }

  private static Path debugLogFile(InProcessCluster cluster, int i) {
    return cluster.home(i).resolve("logs").resolve("debug.log");
  }
}
