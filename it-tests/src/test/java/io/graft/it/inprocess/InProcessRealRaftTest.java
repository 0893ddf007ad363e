package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same plugin with core-raft's REAL runtime (segmented log and meta store under
 * {@code <data>/raft/neo4j/}, Netty transport on loopback) instead of the test double: three
 * embedded members elect a leader by themselves, the leader's lease applies, its writes reach
 * every member with the same tx ids and digests, and a follower write fails with NotALeader.
 */
class InProcessRealRaftTest {

  @Test
  void threeMembersElectReplicateAndRejectFollowerWrites(@TempDir Path dir) throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, InProcessCluster.noExtra(), true)) {
      cluster.startAll();
      int leader = cluster.awaitLeaderWithLease();
      int follower = (leader + 1) % 3;

      cluster.db(leader).executeTransactionally(
          "UNWIND range(1, 100) AS i CREATE (:Account {id: i, balance: 100})");
      long txId = cluster.lastTxId(leader);
      await().atMost(Duration.ofSeconds(60)).until(
          () -> cluster.lastTxId(0) == txId && cluster.lastTxId(1) == txId
              && cluster.lastTxId(2) == txId);
      Object digest = cluster.read(leader, tx -> tx.execute("CALL raft.digest()").next().get("digest"));
      for (int i = 0; i < 3; i++) {
        int m = i;
        assertThat((Object) cluster.read(m, tx -> tx.execute("CALL raft.digest()").next().get("digest")))
            .isEqualTo(digest);
      }

      measureSequentialWrites(cluster, leader);

      Throwable t = catchThrowable(
          () -> cluster.db(follower).executeTransactionally("CREATE (:Account {id: -1})"));
      assertThat(Statuses.codes(t)).contains("Neo.ClientError.Cluster.NotALeader");
      assertThat(cluster.lastTxId(follower)).isEqualTo(cluster.lastTxId(leader));
    }
  }

  /**
   * Not an assertion (docs/TESTING.md: benchmarks are not tests): prints the latency of small
   * auto-commit writes through the whole path (capture, Raft over loopback Netty with fsync,
   * apply on the leader) so regressions are visible in the test log.
   */
  private static void measureSequentialWrites(InProcessCluster cluster, int leader) {
    int n = 300;
    long[] micros = new long[n];
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      cluster.db(leader).executeTransactionally("CREATE (:Write {i: $i})", java.util.Map.of("i", i));
      micros[i] = (System.nanoTime() - t0) / 1000;
    }
    long totalMillis = (System.nanoTime() - start) / 1_000_000;
    java.util.Arrays.sort(micros);
    System.out.printf("graft real-runtime in-process: %d sequential writes in %d ms (%.0f tx/s),"
        + " p50 %d us, p99 %d us%n", n, totalMillis, n * 1000.0 / totalMillis,
        micros[n / 2], micros[n * 99 / 100]);
    assertThat((long) cluster.read(leader, tx -> tx.findNodes(org.neo4j.graphdb.Label.label("Write"))
        .stream().count())).isEqualTo((long) n);
  }
}
