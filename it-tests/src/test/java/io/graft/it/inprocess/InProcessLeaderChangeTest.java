package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.graft.bridge.apply.LeaseState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;

/**
 * Leadership moves between members of a three-member in-process cluster. A follower's rejected
 * write reserves no ids (the next leader's first node gets exactly the next id); each new leader
 * serves writes only after its own lease entry is applied; a transaction prepared under an old
 * lease by a stale leader that still believes it leads is committed to the Raft log and then
 * REJECTED identically on every member, its committer gets NotALeader, and writes continue.
 */
class InProcessLeaderChangeTest {

  @Test
  void leaseFencesStaleLeadersAndWritesContinue(@TempDir Path dir) throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, InProcessCluster.noExtra())) {
      cluster.startAll();
      cluster.electAndAwaitLease(0);
      cluster.db(0).executeTransactionally("UNWIND range(1, 10) AS i CREATE (:Item {i: i})");
      cluster.awaitConverged();
      long nodesBefore = cluster.read(0, tx -> tx.getAllNodes().stream().count());

      // A rejected follower write must not reserve an id on the follower...
      Throwable t = catchThrowable(() -> cluster.write(1, tx -> tx.createNode(Label.label("Item"))));
      assertThat(Statuses.codes(t)).contains("Neo.ClientError.Cluster.NotALeader");

      // ...so when that follower leads, its first node gets exactly the next id (no deletes
      // happened: ids are dense from 0).
      cluster.electAndAwaitLease(1);
      int leaseOf1 = LeaseState.open(cluster.raftDir(1)).current().leaseId();
      assertThat(leaseOf1).isEqualTo(2);
      String elementId = cluster.write(1, tx -> {
        Node n = tx.createNode(Label.label("Item"));
        n.setProperty("i", 11);
        assertThat(n.getId()).isEqualTo(nodesBefore);
        return n.getElementId();
      });
      cluster.awaitConverged();
      for (int i = 0; i < 3; i++) {
        int m = i;
        assertThat((Object) cluster.read(m, tx -> tx.getNodeByElementId(elementId).getProperty("i")))
            .isEqualTo(11);
        assertThat(cluster.lastTxId(m)).isEqualTo(cluster.lastTxId(1));
      }

      staleLeaderEntryIsRejectedEverywhere(cluster);

      // Writes continue on the current leader and reach everyone.
      cluster.db(2).executeTransactionally("CREATE (:Item {i: 12})");
      cluster.awaitConverged();
      for (int i = 0; i < 3; i++) {
        int m = i;
        assertThat((long) cluster.read(m, tx -> tx.findNodes(Label.label("Item")).stream().count()))
            .isEqualTo(12L);
        assertThat(cluster.lastTxId(m)).isEqualTo(cluster.lastTxId(2));
      }
    }
  }

  private static void staleLeaderEntryIsRejectedEverywhere(InProcessCluster cluster)
      throws Exception {
    LocalRaftGroup group = cluster.group();
    long[] txBefore = {cluster.lastTxId(0), cluster.lastTxId(1), cluster.lastTxId(2)};
    // Member 1 (lease 2) is cut off: it does not learn that member 2 now leads, and it has not
    // applied member 2's lease yet, so its write gate is still open.
    group.pauseApply(cluster.member(1), true);
    group.electLeader(cluster.member(2), cluster.member(1));
    await().atMost(Duration.ofSeconds(30)).until(
        () -> cluster.member(2).value().equals(LeaseState.open(cluster.raftDir(2)).current().owner())
            && group.appliedIndex(cluster.member(0)) == group.commitIndex());
    long logBefore = group.lastLogIndex();

    CompletableFuture<Throwable> staleWrite = CompletableFuture.supplyAsync(
        () -> catchThrowable(() -> cluster.db(1).executeTransactionally("CREATE (:Item {i: -1})")));
    await().atMost(Duration.ofSeconds(30)).until(() -> group.lastLogIndex() > logBefore);
    // The stale entry (lease 2) is now in the log AFTER lease 3: members 0 and 2 reject it.
    group.electLeader(cluster.member(2)); // member 1 hears the new term and steps down
    group.pauseApply(cluster.member(1), false);

    Throwable failure = staleWrite.get(60, TimeUnit.SECONDS);
    assertThat(Statuses.codes(failure)).contains("Neo.ClientError.Cluster.NotALeader");
    cluster.awaitOwnLease(2);
    cluster.awaitConverged();
    for (int i = 0; i < 3; i++) {
      int m = i;
      assertThat(cluster.lastTxId(m)).as("member %d applied the stale entry", m)
          .isEqualTo(txBefore[m]);
      assertThat((long) cluster.read(m, tx -> tx.findNodes(Label.label("Item"), "i", -1).stream().count()))
          .isZero();
    }
  }
}
