package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.graft.plugin.RaftSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.monitoring.DatabaseHealth;

/**
 * Failure paths. With {@code server.raft.max_entry_size} lowered to 16 MiB a 200,000-node
 * transaction (a ~21 MiB entry; the 128 MiB default admits it, see process.BigTransactionIT)
 * is refused up front with a message naming the setting and the limit, nothing is proposed and
 * the cluster keeps working. An entry whose apply fails on a follower (delivered corrupted by the
 * Raft double) panics that member's database rather than letting it diverge, while the others
 * carry on.
 */
class InProcessApplyFailureTest {

  @Test
  void oversizedTransactionIsRefusedAndAFailedApplyPanicsTheMember(@TempDir Path dir)
      throws Exception {
    // server.raft.max_entry_size lowered to 16 MiB: the 200,000-node transaction (~21 MiB of
    // commands) is over it.
    Map<Setting<?>, Object> lowered = InProcessCluster.noExtra();
    lowered.put(RaftSettings.max_entry_size, 16L << 20);
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, lowered)) {
      cluster.startAll();
      cluster.electAndAwaitLease(0);
      cluster.db(0).executeTransactionally("CREATE (:Small {v: 0})");
      // Create the big transaction's tokens first: token creation commits separately (through
      // Raft) even when the transaction that needed them is refused later.
      cluster.db(0).executeTransactionally("CREATE (:Big {i: 0, name: 'seed'})");
      cluster.awaitConverged();

      long log = cluster.group().lastLogIndex();
      long tx = cluster.lastTxId(0);
      Throwable big = catchThrowable(() -> cluster.db(0).executeTransactionally(
          "UNWIND range(1, 200000) AS i CREATE (:Big {i: i, name: 'node-' + i})"));
      assertThat(big).isNotNull();
      assertThat(messages(big)).contains("server.raft.max_entry_size")
          .contains("exceed " + (16L << 20) + " bytes");
      assertThat(cluster.group().lastLogIndex()).isEqualTo(log);
      assertThat(cluster.lastTxId(0)).isEqualTo(tx);
      cluster.db(0).executeTransactionally("CREATE (:Small {v: 1})");
      cluster.awaitConverged();
      assertThat(cluster.lastTxId(2)).isEqualTo(tx + 1);

      // Member 2 fails to apply the next entry: it must panic, not skip it and diverge.
      cluster.group().corruptNextApply(cluster.member(2));
      cluster.db(0).executeTransactionally("CREATE (:Small {v: 2})");
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.group().applyFailed(cluster.member(2)));
      DatabaseHealth health = ((GraphDatabaseAPI) cluster.db(2)).getDependencyResolver()
          .resolveDependency(DatabaseHealth.class);
      assertThat(health.hasNoPanic()).isFalse();
      assertThat(health.causeOfPanic()).isNotNull();
      Throwable onPanicked = catchThrowable(() -> cluster.read(2, t -> t.getAllNodes().stream().count()));
      assertThat(onPanicked).isNotNull();

      // The healthy majority keeps going.
      cluster.db(0).executeTransactionally("CREATE (:Small {v: 3})");
      assertThat(cluster.lastTxId(0)).isEqualTo(tx + 3);
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.lastTxId(1) == tx + 3);
    }
  }

  private static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      out.append(c.getMessage()).append(" | ");
    }
    return out.toString();
  }
}
