package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;
import org.neo4j.driver.exceptions.Neo4jException;

/**
 * Tier 4 on real processes: three Neo4j 5.26 servers assembled from Maven jars, the graft
 * plugin in {@code plugins/}, Raft links through the fault proxy. One cluster for the class;
 * the tests run in order and each leaves the cluster with a leader.
 *
 * <p>Fails (never skips) when the plugin jar is missing or declares no settings/extension.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ProcessClusterIT {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.start(ProcessFixtures.options("process-cluster", 3, true, true));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void exactlyOneLeaderAndEveryMemberNamesIt() {
    int leader = cluster.awaitLeader();
    Map<Integer, Map<String, Object>> rows = statusRows();
    assertThat(rows).hasSize(3);
    long leaders = rows.values().stream().filter(r -> "LEADER".equals(r.get("role"))).count();
    assertThat(leaders).isEqualTo(1);
    Object leaderId = rows.get(leader).get("memberId");
    assertThat(rows.values()).allSatisfy(r -> assertThat(r.get("leaderId")).isEqualTo(leaderId));
    assertThat(rows.get(leader).get("raftAddress"))
        .isEqualTo(cluster.layout().member(leader).raftAdvertisedAddress());
  }

  @Test
  @Order(2)
  void leaderWriteIsReadableOnEveryMemberWithTheSameElementId() {
    int leader = cluster.awaitLeader();
    String id;
    try (Session session = cluster.probe().session(leader)) {
      id = session.run("CREATE (n:Replicated {name: 'one'}) RETURN elementId(n)")
          .single().get(0).asString();
    }
    for (int m = 1; m <= 3; m++) {
      int member = m;
      await("member-" + member + " sees " + id).atMost(CONVERGE).ignoreExceptions().until(() ->
          elementIds(member, "MATCH (n:Replicated {name: 'one'}) RETURN elementId(n)")
              .contains(id));
    }
  }

  @Test
  @Order(3)
  void followerWriteFailsWithNotALeader() {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    try (Session session = cluster.probe().session(follower)) {
      assertThatThrownBy(() -> session.run("CREATE (:OnFollower)").consume())
          .isInstanceOf(Neo4jException.class)
          .satisfies(e -> assertThat(((Neo4jException) e).code())
              .isEqualTo("Neo.ClientError.Cluster.NotALeader"));
    }
    for (int m = 1; m <= 3; m++) {
      assertThat(elementIds(m, "MATCH (n:OnFollower) RETURN elementId(n)")).isEmpty();
    }
  }

  /**
   * The isolated leader loses its leadership (CheckQuorum, thesis §6.2) and the two others elect
   * a leader in a higher term (§5.2); after the heal all three agree on one leader in one term,
   * no earlier than the election's, and the old leader has the write made while it was away.
   */
  @Test
  @Order(4)
  void isolatedLeaderIsReplacedAndRejoinsAfterHeal() {
    int oldLeader = cluster.awaitLeader();
    long oldTerm = term(oldLeader);
    List<Integer> rest = others(oldLeader);
    cluster.proxy().isolate(oldLeader);
    int newLeader = cluster.probe().awaitLeader(rest, CONVERGE, System.out::println);
    long newTerm = term(newLeader);
    assertThat(newTerm).as("the new leader's term (old leader member-%d led term %d)", oldLeader,
        oldTerm).isGreaterThan(oldTerm);
    await("the isolated member-" + oldLeader + " steps down").atMost(CONVERGE)
        .until(() -> role(oldLeader), role -> !List.of("LEADER", "UNREACHABLE").contains(role));
    String id;
    try (Session session = cluster.probe().session(newLeader)) {
      id = session.run("CREATE (n:DuringPartition) RETURN elementId(n)").single().get(0).asString();
    }
    cluster.proxy().rejoin(oldLeader);
    await("old leader catches up").atMost(CONVERGE).ignoreExceptions().until(() ->
        elementIds(oldLeader, "MATCH (n:DuringPartition) RETURN elementId(n)").contains(id));
    int leader = cluster.awaitLeader();
    await("all three report one term").atMost(CONVERGE).until(() -> statusRows().values().stream()
        .map(r -> r.get("term")).distinct().count() == 1 && statusRows().size() == 3);
    Map<Integer, Map<String, Object>> rows = statusRows();
    assertThat(rows.values()).as("every member names member-%d leader: %s", leader, rows)
        .allSatisfy(r -> assertThat(r.get("leaderId")).isEqualTo(rows.get(leader).get("memberId")));
    assertThat((Long) rows.get(leader).get("term")).as("term after the heal: %s", rows)
        .isGreaterThanOrEqualTo(newTerm);
  }

  @Test
  @Order(5)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void killingTheLeaderUnderWritesLosesNoAcknowledgedWrite() throws Exception {
    int oldLeader = cluster.awaitLeader();
    try (AckedWriter writer = new AckedWriter(cluster, oldLeader)) {
      writer.start();
      await("writes before the crash").atMost(CONVERGE).ignoreExceptions().until(() -> writer.acked().size() >= 20);
      long oldTerm = term(oldLeader);
      cluster.kill9(oldLeader);
      long killedAt = System.nanoTime();
      assertThat(cluster.server(oldLeader).isAlive()).as("member-%d killed", oldLeader).isFalse();
      int ackedAtCrash = writer.acked().size();
      int newLeader = cluster.probe().awaitLeader(others(oldLeader), CONVERGE, System.out::println);
      long electedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      assertThat(term(newLeader)).as("the new leader's term (member-%d led term %d)", oldLeader,
          oldTerm).isGreaterThan(oldTerm);
      await("writes continue on the new leader").atMost(CONVERGE).ignoreExceptions()
          .until(() -> writer.acked().size() >= ackedAtCrash + 20);
      writer.stop();
      Set<Long> acked = new HashSet<>(writer.acked());
      System.out.printf("[process-cluster] kill -9 of leader member-%d: member-%d agreed leader"
          + " %d ms later (as seen by polling raft.status()); %d acknowledged writes, %d before"
          + " the crash%n", oldLeader, newLeader, electedMillis, acked.size(), ackedAtCrash);
      for (int m : others(oldLeader)) {
        await("member-" + m + " has every acknowledged write").atMost(CONVERGE).ignoreExceptions()
            .until(() -> seqs(m).containsAll(acked));
      }
      cluster.restart(oldLeader);
      await("the old leader converges").atMost(CONVERGE).ignoreExceptions()
          .until(() -> seqs(oldLeader).containsAll(acked));
      await("all members hold the same writes").atMost(CONVERGE).ignoreExceptions()
          .until(() -> seqs(1).equals(seqs(2)) && seqs(2).equals(seqs(3)));
    }
  }

  @Test
  @Order(6)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void stopAndRestartAllKeepsTheData() {
    cluster.awaitLeader();
    String all = "MATCH (n) RETURN elementId(n)";
    await("members agree before the stop").atMost(CONVERGE).ignoreExceptions().until(() ->
        elementIds(1, all).equals(elementIds(2, all))
            && elementIds(2, all).equals(elementIds(3, all)));
    Set<String> before = elementIds(1, all);
    assertThat(before).isNotEmpty();
    cluster.stopAll();
    cluster.startAll();
    for (int m = 1; m <= 3; m++) {
      int member = m;
      await("member-" + member + " recovered").atMost(CONVERGE).ignoreExceptions()
          .until(() -> elementIds(member, all).equals(before));
    }
    int leader = cluster.awaitLeader();
    try (Session session = cluster.probe().session(leader)) {
      session.run("CREATE (:AfterRestart)").consume();
    }
  }

  private static List<Integer> others(int member) {
    List<Integer> rest = new ArrayList<>();
    for (int m = 1; m <= 3; m++) {
      if (m != member) {
        rest.add(m);
      }
    }
    return rest;
  }

  private static long term(int member) {
    return (Long) cluster.probe().status(member).orElseThrow(() -> new AssertionError(
        "member-" + member + " does not answer raft.status()")).get("term");
  }

  private static String role(int member) {
    return cluster.probe().status(member).map(r -> String.valueOf(r.get("role")))
        .orElse("UNREACHABLE");
  }

  private static Map<Integer, Map<String, Object>> statusRows() {
    Map<Integer, Map<String, Object>> rows = new HashMap<>();
    for (int m = 1; m <= 3; m++) {
      int member = m;
      cluster.probe().status(m).ifPresent(row -> rows.put(member, row));
    }
    return rows;
  }

  /** Strict: an unreachable member throws (awaits below ignore exceptions until their bound). */
  static Set<String> elementIds(int member, String cypher) {
    try (Session session = cluster.probe().session(member)) {
      Set<String> ids = new HashSet<>();
      session.run(cypher).forEachRemaining(r -> ids.add(r.get(0).asString()));
      return ids;
    }
  }

  static Set<Long> seqs(int member) {
    try (Session session = cluster.probe().session(member)) {
      Set<Long> seqs = new HashSet<>();
      session.run("MATCH (n:Acked) RETURN n.seq", Values.parameters())
          .forEachRemaining(r -> seqs.add(r.get(0).asLong()));
      return seqs;
    }
  }
}
