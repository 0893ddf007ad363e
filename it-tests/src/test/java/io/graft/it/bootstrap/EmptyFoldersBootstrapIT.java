package io.graft.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.harness.Digests;
import io.graft.it.ItClusters;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Session;

/**
 * Issue 5 item 1 on real processes: three servers started on EMPTY data/ folders with the same
 * {@code server.raft.initial_members} form one cluster, and nodes written afterwards have the
 * same element ids on all three (the database identity is the cluster-wide one, not a random
 * UUID per server), the same tx ids and the same {@code raft.digest()}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EmptyFoldersBootstrapIT {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.assemble(ItClusters.options("bootstrap-empty", 3));
    for (int m = 1; m <= 3; m++) {
      assertThat(Files.exists(cluster.home(m).resolve("data/databases")))
          .as("member-%d must start without a store", m).isFalse();
    }
    cluster.startAll();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void freshMembersElectOneLeaderAndShareElementIdsTxIdsAndDigest() {
    int leader = cluster.awaitLeader();
    await("one leader that every member names").atMost(CONVERGE).ignoreExceptions().until(() -> {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int m = 1; m <= 3; m++) {
        rows.add(cluster.probe().status(m).orElseThrow());
      }
      Object leaderId = rows.get(leader - 1).get("memberId");
      return rows.stream().filter(r -> "LEADER".equals(r.get("role"))).count() == 1
          && "LEADER".equals(rows.get(leader - 1).get("role"))
          && rows.stream().allMatch(r -> leaderId.equals(r.get("leaderId")));
    });
    List<String> written = new ArrayList<>();
    try (Session session = cluster.probe().session(leader)) {
      for (int i = 0; i < 5; i++) {
        written.add(session.run("CREATE (n:Fresh {i: $i}) RETURN elementId(n)", Map.of("i", i))
            .single().get(0).asString());
      }
      session.run("MATCH (a:Fresh {i: 0}), (b:Fresh {i: 1}) CREATE (a)-[:NEXT]->(b)").consume();
    }
    String expectedPrefix =
        "4:" + ItClusters.expectedIdentity("graft", "neo4j") + ":";
    assertThat(written).allSatisfy(id -> assertThat(id).startsWith(expectedPrefix));
    for (int m = 1; m <= 3; m++) {
      int member = m;
      await("member-" + m + " has the leader's nodes with the same element ids")
          .atMost(CONVERGE).ignoreExceptions()
          .until(() -> elementIds(member).equals(written));
    }
    Map<Integer, Digests.Row> digests = Digests.awaitSame(cluster, CONVERGE);
    assertThat(digests.values()).as("one last tx id on all three: %s", digests)
        .extracting(Digests.Row::lastTxId).containsOnly(digests.get(1).lastTxId());
    assertThat(digests.get(1).nodes()).isEqualTo(5);
    assertThat(digests.get(1).relationships()).isEqualTo(1);
  }

  private static List<String> elementIds(int member) {
    try (Session session = cluster.probe().session(member)) {
      return session.run("MATCH (n:Fresh) RETURN elementId(n) ORDER BY n.i")
          .list(r -> r.get(0).asString());
    }
  }
}
