package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;

/**
 * Users through the Raft log, on three embedded members with the real runtime: a user created,
 * altered, renamed and dropped on the leader's system database reaches every member's system
 * database with the leader's exact credential (hash and salt), in order; the same commands on a
 * follower are refused with NotALeader naming the leader, and change nothing anywhere. (Logins
 * over Bolt with auth on, and restarts: UserReplicationIT on real servers.)
 */
class InProcessUserReplicationTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @Test
  void usersChangedOnTheLeaderAreTheSameEverywhereAndFollowersRefuse(@TempDir Path dir)
      throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 3, InProcessCluster.noExtra(),
        true)) {
      cluster.startAll();
      int leader = cluster.awaitLeaderWithLease();
      int follower = (leader + 1) % 3;

      cluster.system(leader).executeTransactionally(
          "CREATE USER alice SET PASSWORD 'alice-secret-1' CHANGE NOT REQUIRED");
      String created = credentials(cluster, leader, "alice");
      awaitEverywhere(cluster, "alice", created, false);

      cluster.system(leader).executeTransactionally(
          "ALTER USER alice SET PASSWORD 'alice-secret-2' CHANGE REQUIRED");
      String altered = credentials(cluster, leader, "alice");
      assertThat(altered).isNotEqualTo(created);
      awaitEverywhere(cluster, "alice", altered, true);

      Throwable refused = catchThrowable(() -> cluster.system(follower).executeTransactionally(
          "ALTER USER alice SET PASSWORD 'from-a-follower'"));
      assertThat(Statuses.codes(refused)).contains("Neo.ClientError.Cluster.NotALeader");
      assertThat(Statuses.messages(refused)).contains("users are changed on the Raft leader only")
          .contains("the leader is " + cluster.member(leader).value());
      assertThat(credentials(cluster, follower, "alice")).isEqualTo(altered);
      Throwable createRefused = catchThrowable(() -> cluster.system(follower)
          .executeTransactionally("CREATE USER mallory SET PASSWORD 'mallory-secret'"));
      assertThat(Statuses.codes(createRefused)).contains("Neo.ClientError.Cluster.NotALeader");

      cluster.system(leader).executeTransactionally("RENAME USER alice TO alicia");
      awaitEverywhere(cluster, "alicia", altered, true);
      cluster.system(leader).executeTransactionally("DROP USER alicia");
      await().atMost(CONVERGE).until(() -> {
        for (int i = 0; i < 3; i++) {
          if (credentials(cluster, i, "alicia") != null || credentials(cluster, i, "alice") != null
              || credentials(cluster, i, "mallory") != null) {
            return false;
          }
        }
        return true;
      });
    }
  }

  private static void awaitEverywhere(InProcessCluster cluster, String user, String credentials,
      boolean changeRequired) {
    await().atMost(CONVERGE).untilAsserted(() -> {
      Map<Integer, String> seen = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        seen.put(i, credentials(cluster, i, user) + "/" + changeRequired(cluster, i, user));
      }
      assertThat(seen.values()).as("%s on every member", user)
          .containsOnly(credentials + "/" + changeRequired);
    });
  }

  private static String credentials(InProcessCluster cluster, int member, String user) {
    try (Transaction tx = cluster.system(member).beginTx()) {
      Node node = tx.findNode(Label.label("User"), "name", user);
      return node == null ? null : (String) node.getProperty("credentials");
    }
  }

  private static Boolean changeRequired(InProcessCluster cluster, int member, String user) {
    try (Transaction tx = cluster.system(member).beginTx()) {
      Node node = tx.findNode(Label.label("User"), "name", user);
      return node == null ? null : (Boolean) node.getProperty("passwordChangeRequired");
    }
  }
}
