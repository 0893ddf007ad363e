package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.bridge.apply.LeaseState;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop and restart: the applied index comes back from Neo4j's own {@code consensusIndex} and the
 * durable lease file, so a restarted member replays only what it missed and applies nothing twice
 * (tx ids and graph digests equal before and after); the lease counter continues after a restart.
 */
class InProcessRestartTest {

  @Test
  void restartRecoversStateAndAppliesNothingTwice(@TempDir Path dir) throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, InProcessCluster.noExtra())) {
      cluster.startAll();
      cluster.electAndAwaitLease(0);
      for (int i = 0; i < 20; i++) {
        cluster.db(0).executeTransactionally("CREATE (:Event {seq: $i})", Map.of("i", i));
      }
      cluster.awaitConverged();

      // One member misses writes while down, then catches up from its own applied index.
      cluster.stop(2);
      for (int i = 20; i < 30; i++) {
        cluster.db(0).executeTransactionally("CREATE (:Event {seq: $i})", Map.of("i", i));
      }
      cluster.start(2);
      cluster.awaitConverged();
      assertThat(cluster.lastTxId(2)).isEqualTo(cluster.lastTxId(0));

      long commit = cluster.group().commitIndex();
      long txId = cluster.lastTxId(0);
      Object digest = digest(cluster, 0);
      int lease = LeaseState.open(cluster.raftDir(0)).current().leaseId();

      // Everyone down, everyone up: nothing to replay, nothing applied twice.
      for (int i = 0; i < 3; i++) {
        cluster.stop(i);
      }
      cluster.startAll();
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.group().appliedIndex(cluster.member(i))).isEqualTo(commit);
        assertThat(cluster.lastTxId(i)).isEqualTo(txId);
        assertThat(digest(cluster, i)).isEqualTo(digest);
        assertThat((Object) cluster.read(i, tx -> tx.execute("CALL raft.status()").next().get("appliedIndex")))
            .isEqualTo(commit);
      }

      cluster.electAndAwaitLease(1);
      assertThat(LeaseState.open(cluster.raftDir(1)).current().leaseId()).isGreaterThan(lease);
      cluster.db(1).executeTransactionally("CREATE (:Event {seq: 30})");
      cluster.awaitConverged();
      for (int i = 0; i < 3; i++) {
        int m = i;
        assertThat(cluster.lastTxId(m)).isEqualTo(txId + 1);
        assertThat((Object) cluster.read(m, tx -> tx.execute("MATCH (e:Event) RETURN count(e) AS c")
            .next().get("c"))).isEqualTo(31L);
      }
    }
  }

  private static Object digest(InProcessCluster cluster, int i) {
    return cluster.read(i, tx -> tx.execute("CALL raft.digest()").next().get("digest"));
  }
}
