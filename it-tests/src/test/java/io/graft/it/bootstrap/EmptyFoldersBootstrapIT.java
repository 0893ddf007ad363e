package io.graft.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.LocalCluster;
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
import org.neo4j.driver.Record;
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
    cluster = LocalCluster.assemble(BootstrapFixtures.options("bootstrap-empty", 3));
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
        "4:" + BootstrapFixtures.expectedIdentity("graft", "neo4j") + ":";
    assertThat(written).allSatisfy(id -> assertThat(id).startsWith(expectedPrefix));
    for (int m = 1; m <= 3; m++) {
      int member = m;
      await("member-" + m + " has the leader's nodes with the same element ids")
          .atMost(CONVERGE).ignoreExceptions()
          .until(() -> elementIds(member).equals(written));
    }
    await("identical raft.digest() on all three").atMost(CONVERGE).ignoreExceptions()
        .until(() -> {
          Record d1 = digest(1);
          Record d2 = digest(2);
          Record d3 = digest(3);
          return d1.get("appliedIndex").asLong() >= 0
              && d1.get("appliedIndex").equals(d2.get("appliedIndex"))
              && d2.get("appliedIndex").equals(d3.get("appliedIndex"))
              && d1.get("digest").equals(d2.get("digest"))
              && d2.get("digest").equals(d3.get("digest"))
              && d1.get("lastTxId").equals(d2.get("lastTxId"))
              && d2.get("lastTxId").equals(d3.get("lastTxId"));
        });
    assertThat(digest(1).get("nodes").asLong()).isEqualTo(5);
    assertThat(digest(1).get("relationships").asLong()).isEqualTo(1);
  }

  private static List<String> elementIds(int member) {
    try (Session session = cluster.probe().session(member)) {
      return session.run("MATCH (n:Fresh) RETURN elementId(n) ORDER BY n.i")
          .list(r -> r.get(0).asString());
    }
  }

  private static Record digest(int member) {
    try (Session session = cluster.probe().session(member)) {
      return session.run("CALL raft.digest()").single();
    }
  }
}
