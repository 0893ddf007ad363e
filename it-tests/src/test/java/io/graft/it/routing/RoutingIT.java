package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Value;
import org.neo4j.driver.Values;

/**
 * {@code neo4j://} routing on three real graft servers with the official driver (issue 5 item 4):
 * every member hands out the same table (leader writes, followers read, all route, graft's TTL),
 * other databases keep Neo4j's answer, and a driver given a FOLLOWER's address writes, then keeps
 * writing across a kill -9 of the leader with every acknowledged write present afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RoutingIT {
  private static final long TTL_SECONDS = 5;
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RoutingFixtures.start("routing", 3, Map.of());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void everyMemberRoutesWritesToTheLeaderAndOtherDatabasesKeepNeo4jsTable() {
    int leader = cluster.awaitLeader();
    String leaderBolt = RoutingFixtures.hostPort(cluster, leader);
    Set<String> all = new HashSet<>();
    for (int m = 1; m <= 3; m++) {
      all.add(RoutingFixtures.hostPort(cluster, m));
    }
    Set<String> followers = new HashSet<>(all);
    followers.remove(leaderBolt);
    for (int m = 1; m <= 3; m++) {
      Map<String, Object> table = routingTable(m, "neo4j");
      assertThat(table.get("ttl")).as("member-%d ttl", m).isEqualTo(TTL_SECONDS);
      assertThat(table.get("WRITE")).as("member-%d writers", m).isEqualTo(List.of(leaderBolt));
      assertThat(new HashSet<>(addresses(table, "READ"))).as("member-%d readers", m)
          .isEqualTo(followers);
      assertThat(new HashSet<>(addresses(table, "ROUTE"))).as("member-%d routers", m)
          .isEqualTo(all);
      // The system database is not replicated: Neo4j's single-address answer stays.
      Map<String, Object> system = routingTable(m, "system");
      assertThat(system.get("WRITE")).as("member-%d system writers", m)
          .isEqualTo(List.of(RoutingFixtures.hostPort(cluster, m)));
    }
  }

  @Test
  @Order(2)
  void driverGivenAFollowerWritesAndKeepsWritingAcrossAKillOfTheLeader() throws Exception {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    List<Long> acked;
    long outageMillis;
    try (Driver driver = RoutingFixtures.routingDriver(
            RoutingFixtures.hostPort(cluster, follower), Duration.ofSeconds(60));
        RoutedWriter writer = new RoutedWriter(driver).start()) {
      awaitAcked(writer, 20, Duration.ofSeconds(60));
      int beforeKill = writer.ackedCount();
      long killedAt = System.nanoTime();
      cluster.kill9(leader);
      System.out.printf("[routing] kill -9 of leader member-%d after %d routed writes%n", leader,
          beforeKill);
      awaitAcked(writer, beforeKill + 20, Duration.ofSeconds(90));
      outageMillis = firstAckAfter(writer, killedAt);
      writer.stop();
      acked = writer.acked();
      System.out.printf("[routing] %d writes acknowledged, %d failed; first write after the kill"
          + " acknowledged within %d ms%n", acked.size(), writer.errors().size(), outageMillis);
      writer.errors().stream().limit(5).forEach(e -> System.out.println("[routing]   " + e));
    }
    int newLeader = cluster.awaitLeader();
    assertThat(newLeader).isNotEqualTo(leader);
    Set<Long> present = new HashSet<>();
    try (Session s = cluster.probe().session(newLeader)) {
      s.run("MATCH (n:Routed) RETURN n.seq AS seq").forEachRemaining(
          r -> present.add(r.get("seq").asLong()));
    }
    assertThat(present).as("every acknowledged routed write").containsAll(acked);
    cluster.restart(leader);
    cluster.awaitLeader();
  }

  private static long firstAckAfter(RoutedWriter writer, long killedAt) {
    return Duration.ofNanos(writer.firstAckAfter(killedAt) - killedAt).toMillis();
  }

  private static void awaitAcked(RoutedWriter writer, int count, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (writer.ackedCount() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + writer.ackedCount() + " of " + count
            + " routed writes acknowledged within " + bound + "; last errors: "
            + writer.errors().subList(Math.max(0, writer.errors().size() - 5),
                writer.errors().size()));
      }
      RoutingFixtures.pause(Duration.ofMillis(50));
    }
  }

  /** {@code dbms.routing.getRoutingTable} of member m: ttl and role to addresses. */
  static Map<String, Object> routingTable(int member, String database) {
    try (Session s = cluster.probe().driver(member).session(SessionConfig.forDatabase("system"))) {
      Record r = s.run("CALL dbms.routing.getRoutingTable({}, $db)",
          Values.parameters("db", database)).single();
      Map<String, Object> out = new TreeMap<>();
      out.put("ttl", r.get("ttl").asLong());
      for (Value server : r.get("servers").values()) {
        List<String> addresses = new ArrayList<>(server.get("addresses").asList(Value::asString));
        out.put(server.get("role").asString(), addresses);
      }
      out.putIfAbsent("WRITE", List.of());
      return out;
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> addresses(Map<String, Object> table, String role) {
    return (List<String>) table.getOrDefault(role, List.of());
  }
}
