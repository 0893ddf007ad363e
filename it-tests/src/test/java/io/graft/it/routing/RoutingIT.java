package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.harness.Drivers;
import io.graft.cluster.harness.RoutedWriter;
import io.graft.cluster.harness.RoutingTable;
import io.graft.it.ItClusters;
import java.time.Duration;
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
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

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
    cluster = ItClusters.start("routing", 3, Map.of());
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
    String leaderBolt = cluster.boltAddress(leader);
    Set<String> all = new HashSet<>();
    for (int m = 1; m <= 3; m++) {
      all.add(cluster.boltAddress(m));
    }
    Set<String> followers = new HashSet<>(all);
    followers.remove(leaderBolt);
    for (int m = 1; m <= 3; m++) {
      RoutingTable table = RoutingTable.of(cluster, m, "neo4j");
      assertThat(table.ttl()).as("member-%d ttl", m).isEqualTo(TTL_SECONDS);
      assertThat(table.writers()).as("member-%d writers", m).isEqualTo(List.of(leaderBolt));
      assertThat(new HashSet<>(table.readers())).as("member-%d readers", m).isEqualTo(followers);
      assertThat(new HashSet<>(table.routers())).as("member-%d routers", m).isEqualTo(all);
      // The system database is not replicated: Neo4j's single-address answer stays.
      assertThat(RoutingTable.of(cluster, m, "system").writers()).as("member-%d system writers", m)
          .isEqualTo(List.of(cluster.boltAddress(m)));
    }
  }

  @Test
  @Order(2)
  void driverGivenAFollowerWritesAndKeepsWritingAcrossAKillOfTheLeader() throws Exception {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    List<Long> acked;
    long outageMillis;
    try (Driver driver = Drivers.routing(cluster, follower, Duration.ofSeconds(60));
        RoutedWriter writer = new RoutedWriter(driver).start()) {
      writer.awaitAcked(20, Duration.ofSeconds(60));
      int beforeKill = writer.ackedCount();
      long killedAt = System.nanoTime();
      cluster.kill9(leader);
      System.out.printf("[routing] kill -9 of leader member-%d after %d routed writes%n", leader,
          beforeKill);
      writer.awaitAcked(beforeKill + 20, Duration.ofSeconds(90));
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
}
