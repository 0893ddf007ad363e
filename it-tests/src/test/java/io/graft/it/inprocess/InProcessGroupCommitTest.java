package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.bridge.apply.GraphStateMachine;
import io.graft.plugin.Wiring;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * Group commit through real Neo4j (core-raft's real runtime, three embedded members): 32
 * concurrent writers, a follower down for the first half that catches up by replaying the log in
 * batches, then all members restarted. Consecutive Raft entries reach Neo4j as chains of more than
 * one transaction (asserted on the follower that caught up: its catch-up arrives as AppendEntries
 * batches, so its apply batches hold many entries), every member ends with the same tx id, the
 * same consensusIndex on its last transaction and the same graph digest, before and after a
 * restart of all members (the chained transactions' consensusIndexes are durable).
 */
class InProcessGroupCommitTest {
  private static final int WRITERS = 32;
  private static final int PER_WRITER = 10;

  @Test
  void concurrentWritesAndCatchUpApplyAsChainsAndConverge(@TempDir Path dir) throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, InProcessCluster.noExtra(), true)) {
      cluster.startAll();
      int leader = cluster.awaitLeaderWithLease();
      int lagging = (leader + 1) % 3;
      cluster.stop(lagging);
      writeConcurrently(cluster, leader, 0);
      cluster.start(lagging);
      awaitSameTxId(cluster);
      long[] catchUp = chainStats(cluster, lagging);
      System.out.printf("member %d catch-up: %d chains, %d transactions, largest %d%n",
          lagging, catchUp[0], catchUp[1], catchUp[2]);
      assertThat(catchUp[2]).as("largest chain on the member that caught up").isGreaterThan(1);
      assertThat(catchUp[1]).isGreaterThan(catchUp[0]);

      writeConcurrently(cluster, leader, 1);
      awaitSameTxId(cluster);
      for (int i = 0; i < 3; i++) {
        long[] s = chainStats(cluster, i);
        System.out.printf("member %d: %d chains, %d transactions, largest %d%n", i, s[0], s[1],
            s[2]);
      }
      long txId = cluster.lastTxId(leader);
      long consensusIndex = lastConsensusIndex(cluster, leader);
      Object digest = digest(cluster, leader);
      assertConverged(cluster, txId, consensusIndex, digest);
      assertThat((long) cluster.read(leader, tx -> tx.execute("MATCH (w:W) RETURN count(w) AS c")
          .next().get("c"))).isEqualTo(2L * WRITERS * PER_WRITER);

      for (int i = 0; i < 3; i++) {
        cluster.stop(i);
      }
      cluster.startAll();
      assertConverged(cluster, txId, consensusIndex, digest);
    }
  }

  private static void writeConcurrently(InProcessCluster cluster, int leader, int round)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < WRITERS; t++) {
        int writer = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < PER_WRITER; i++) {
            cluster.db(leader).executeTransactionally("CREATE (:W {round: $r, t: $t, i: $i})",
                Map.of("r", round, "t", writer, "i", i));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void awaitSameTxId(InProcessCluster cluster) {
    await().atMost(Duration.ofSeconds(60)).until(() -> cluster.lastTxId(0) == cluster.lastTxId(1)
        && cluster.lastTxId(1) == cluster.lastTxId(2));
  }

  private static void assertConverged(InProcessCluster cluster, long txId, long consensusIndex,
      Object digest) {
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.lastTxId(i)).as("tx id on member %d", i).isEqualTo(txId);
      assertThat(lastConsensusIndex(cluster, i)).as("consensusIndex on member %d", i)
          .isEqualTo(consensusIndex);
      assertThat(digest(cluster, i)).as("digest on member %d", i).isEqualTo(digest);
    }
  }

  private static long lastConsensusIndex(InProcessCluster cluster, int i) {
    return ((GraphDatabaseAPI) cluster.db(i)).getDependencyResolver()
        .resolveDependency(TransactionIdStore.class).getLastCommittedTransaction().consensusIndex();
  }

  private static Object digest(InProcessCluster cluster, int i) {
    return cluster.read(i, tx -> tx.execute("CALL raft.digest()").next().get("digest"));
  }

  /**
   * The member's {@link GraphStateMachine#chainStats()}. The plugin does not expose its state
   * machine, so this reads it through the private fields {@code Wiring.running} and {@code
   * DatabaseBridge.machine}; a rename there fails this test with a message saying so.
   */
  private static long[] chainStats(InProcessCluster cluster, int i) {
    Wiring wiring = ((GraphDatabaseAPI) cluster.db(i)).getDependencyResolver()
        .resolveDependency(Wiring.class);
    try {
      Object bridge = field(wiring, "running");
      return ((GraphStateMachine) field(bridge, "machine")).chainStats();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("plugin internals changed: cannot reach the state machine", e);
    }
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    Field f = owner.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(owner);
  }
}
