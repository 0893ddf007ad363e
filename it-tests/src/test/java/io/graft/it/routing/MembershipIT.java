package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.MemberSpec;
import io.graft.cluster.NeoConfig;
import io.graft.cluster.NeoHome;
import io.graft.cluster.Ports;
import io.graft.cluster.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Values;
import org.neo4j.driver.exceptions.ClientException;

/**
 * The membership procedures on real graft servers with the official driver (issue 5 item 3):
 * leadership transfer within one election timeout (and a {@code neo4j://} driver following it via
 * NotALeader), the documented error cases, and a 4th server (its address in no one's
 * configuration) added on a follower under a routed write load, caught up to an identical graph,
 * then the leader removed while writes continue with no acknowledged write lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MembershipIT {
  private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static LocalCluster cluster;
  /**
   * Where the add/remove calls of the 4th-server test go: a follower (forwarded to the leader by
   * core-raft), or the leader with -Dmembership.caller=leader.
   */
  private static final String CALLER = System.getProperty("membership.caller", "follower");
  private static ServerProcess fourth;
  private static Driver fourthDriver;

  @BeforeAll
  static void startCluster() {
    cluster = RoutingFixtures.start("membership", 3, Map.of());
  }

  @AfterAll
  static void stopCluster() {
    if (fourthDriver != null) {
      fourthDriver.close();
    }
    if (fourth != null) {
      fourth.stop(Duration.ofSeconds(30));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void transferLeadershipMovesLeadershipWithinOneElectionTimeoutAndDriversFollow()
      throws Exception {
    int leader = cluster.awaitLeader();
    int target = leader % 3 + 1;
    String targetId = memberId(target);
    try (Driver driver = RoutingFixtures.routingDriver(
            RoutingFixtures.hostPort(cluster, leader), Duration.ofSeconds(30));
        Session routed = driver.session(SessionConfig.forDatabase("neo4j"))) {
      // The driver now caches a table naming `leader` as the writer (TTL 5 s).
      routed.executeWrite(tx -> tx.run("CREATE (:BeforeTransfer)").consume());
      long began = System.nanoTime();
      List<Record> rows = call(leader, "CALL raft.transferLeadership($m)", targetId);
      long tookMillis = Duration.ofNanos(System.nanoTime() - began).toMillis();
      System.out.printf("[membership] raft.transferLeadership(%s) returned after %d ms%n",
          targetId, tookMillis);
      assertThat(rows).anySatisfy(r -> {
        assertThat(r.get("memberId").asString()).isEqualTo(targetId);
        assertThat(r.get("role").asString()).isEqualTo("LEADER");
      });
      assertThat(Duration.ofMillis(tookMillis)).isLessThanOrEqualTo(ELECTION_TIMEOUT);
      assertThat(cluster.awaitLeader()).isEqualTo(target);
      // The cached writer is a follower now: NotALeader, the driver refreshes and retries.
      routed.executeWrite(tx -> tx.run("CREATE (:AfterTransfer)").consume());
    }
    try (Session s = cluster.probe().session(target)) {
      assertThat(s.run("MATCH (n:AfterTransfer) RETURN count(n)").single().get(0).asLong())
          .isEqualTo(1);
    }
  }

  @Test
  @Order(2)
  void errorCasesReturnTheirMessages() throws Exception {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    assertThatThrownBy(() -> call(follower, "CALL raft.removeMember($m)", "127.0.0.1:1"))
        .isInstanceOf(ClientException.class)
        .hasMessageContaining("is not a member of this cluster");
    assertThatThrownBy(() -> call(follower, "CALL raft.transferLeadership($m)", "nobody"))
        .hasMessageContaining("is not a member of this cluster");
    assertThatThrownBy(() -> call(follower, "CALL raft.addMember($m)", "not-an-address"))
        .hasMessageContaining("is not a Raft address");
    assertThatThrownBy(() -> call(follower, "CALL raft.addMember($m)", "127.0.0.1:99999"))
        .hasMessageContaining("port out of range");
    assertThatThrownBy(() -> call(leader, "CALL raft.addMember($m)", memberId(follower)))
        .hasMessageContaining("already a voting member");
    // Nothing listens there: the learner never answers. While that add runs, a second change is
    // refused; then the add itself fails as unreachable / not caught up, and nothing changed.
    String nowhere = "127.0.0.1:" + Ports.freePort();
    CompletableFuture<Throwable> add = CompletableFuture.supplyAsync(() -> {
      try {
        call(leader, "CALL raft.addMember($m)", nowhere);
        return null;
      } catch (RuntimeException e) {
        return e;
      }
    });
    awaitLearner(leader, nowhere);
    assertThatThrownBy(() -> call(leader, "CALL raft.removeMember($m)", memberId(follower)))
        .hasMessageContaining("still in progress");
    Throwable addFailure = add.get(60, TimeUnit.SECONDS);
    assertThat(addFailure).as("adding a server that is not running").isNotNull();
    assertThat(addFailure.getMessage()).containsAnyOf("could not be reached",
        "did not catch up");
    System.out.println("[membership] add of a dead address: " + addFailure.getMessage());
    assertThat(memberIds(leader)).doesNotContain(nowhere).hasSize(3);
  }

  @Test
  @Order(3)
  void fourthServerAddedOnAFollowerUnderLoadThenTheLeaderRemoved() throws Exception {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    startFourth();
    String fourthId = "127.0.0.1:" + fourthSpec.raftAdvertisedPort();
    List<Long> acked;
    try (Driver driver = RoutingFixtures.routingDriver(
            RoutingFixtures.hostPort(cluster, follower), Duration.ofSeconds(60));
        RoutedWriter writer = new RoutedWriter(driver).start()) {
      awaitAcked(writer, 10);
      int caller = CALLER.equals("leader") ? leader : follower;
      List<Record> rows = call(caller, "CALL raft.addMember($m)", fourthId);
      System.out.printf("[membership] raft.addMember(%s) on %s member-%d: %s%n", fourthId,
          CALLER, caller, rows.stream().map(r -> r.get("memberId").asString() + "/"
              + r.get("role").asString() + "/voting=" + r.get("voting")).toList());
      assertThat(rows).anySatisfy(r -> {
        assertThat(r.get("memberId").asString()).isEqualTo(fourthId);
        assertThat(r.get("voting").asBoolean()).isTrue();
      });
      // Nobody configured member-4's Bolt address: the leader learned it from the handshake.
      String fourthBolt = "127.0.0.1:" + fourthSpec.boltPort();
      awaitRoutingTable(leader, t -> t.get("ROUTE").contains(fourthBolt)
          && t.get("READ").contains(fourthBolt));
      awaitAcked(writer, writer.ackedCount() + 10);
      String leaderId = memberId(leader);
      rows = call(caller, "CALL raft.removeMember($m)", leaderId);
      assertThat(rows).extracting(r -> r.get("memberId").asString())
          .doesNotContain(leaderId).contains(fourthId).hasSize(3);
      int before = writer.ackedCount();
      awaitAcked(writer, before + 20);
      writer.stop();
      acked = writer.acked();
      System.out.printf("[membership] %d routed writes acknowledged (%d failed) across add and "
          + "removal of the leader%n", acked.size(), writer.errors().size());
    }
    List<Integer> remaining = new ArrayList<>(List.of(1, 2, 3, 4));
    remaining.remove(Integer.valueOf(leader));
    int newLeader = remaining.stream().filter(m -> "LEADER".equals(role(m))).findFirst()
        .orElseThrow();
    Set<String> remainingBolt = new HashSet<>();
    remaining.forEach(m -> remainingBolt.add(boltOf(m)));
    awaitRoutingTable(newLeader, t -> t.get("WRITE").equals(List.of(boltOf(newLeader)))
        && new HashSet<>(t.get("ROUTE")).equals(remainingBolt));
    Map<Integer, String> digests = sameDigests(remaining);
    System.out.println("[membership] digests after the changes: " + digests);
    Set<Long> present = new HashSet<>();
    try (Session s = session(4)) {
      s.run("MATCH (n:Routed) RETURN n.seq AS seq").forEachRemaining(
          r -> present.add(r.get("seq").asLong()));
    }
    assertThat(present).as("every acknowledged write, read on the added member")
        .containsAll(acked);
  }

  @Test
  @Order(4)
  void theLastVoterCannotBeRemoved() {
    List<Integer> voters = new ArrayList<>();
    for (int m = 1; m <= 4; m++) {
      if (memberIds(m).size() == 3 && "LEADER".equals(role(m))) {
        voters.add(0, m);
      }
    }
    assertThat(voters).as("one leader among the remaining members").hasSize(1);
    int leader = voters.get(0);
    List<String> ids = memberIds(leader);
    for (String id : ids) {
      if (!id.equals(memberIdOf(leader))) {
        call(leader, "CALL raft.removeMember($m)", id);
      }
    }
    assertThat(memberIds(leader)).containsExactly(memberIdOf(leader));
    assertThatThrownBy(() -> call(leader, "CALL raft.removeMember($m)", memberIdOf(leader)))
        .hasMessageContaining("could not form a majority (or none would be left)");
    try (Session s = session(leader)) {
      s.run("CREATE (:AloneButWriting)").consume();
    }
  }

  private static String memberIdOf(int member) {
    return member == 4 ? "127.0.0.1:" + fourthSpec.raftAdvertisedPort() : memberId(member);
  }

  private static MemberSpec fourthSpec;

  /** A 4th server: listed founders as initial_members, its own address in nobody's config. */
  private static void startFourth() {
    int raftPort = Ports.freePort();
    fourthSpec = new MemberSpec(4, Ports.freePort(), Ports.freePort(), raftPort, raftPort);
    NeoHome home = new NeoHome(cluster.home(1).getParent().resolve("member-4"), fourthSpec);
    home.assemble(RoutingFixtures.pluginJar(), new NeoConfig(true,
        cluster.layout().advertisedRaftAddresses(), "384m", "64m", Map.of()));
    fourth = new ServerProcess(home, RoutingFixtures.lib(), true, false);
    fourth.start();
    fourth.awaitStarted(Duration.ofSeconds(180), line -> System.out.println("[member-4] " + line));
    fourthDriver = GraphDatabase.driver(fourthSpec.boltUri(), AuthTokens.none(),
        Config.builder().withLogging(Logging.none()).build());
  }

  private static String boltOf(int member) {
    return member == 4 ? "127.0.0.1:" + fourthSpec.boltPort()
        : RoutingFixtures.hostPort(cluster, member);
  }

  private static String role(int member) {
    try (Session s = session(member)) {
      return s.run("CALL raft.status() YIELD role RETURN role").single().get(0).asString();
    }
  }

  /** Waits (bounded) until member's routing table for neo4j satisfies the check. */
  private static void awaitRoutingTable(
      int member, java.util.function.Predicate<Map<String, List<String>>> check) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Map<String, List<String>> table = Map.of();
    while (System.nanoTime() < deadline) {
      table = routingTable(member);
      if (check.test(table)) {
        System.out.println("[membership] routing table of member-" + member + ": " + table);
        return;
      }
      RoutingFixtures.pause(Duration.ofMillis(100));
    }
    throw new AssertionError("routing table of member-" + member + " never matched: " + table);
  }

  private static Map<String, List<String>> routingTable(int member) {
    try (Session s = member == 4 ? fourthDriver.session(SessionConfig.forDatabase("system"))
        : cluster.probe().driver(member).session(SessionConfig.forDatabase("system"))) {
      Record r = s.run("CALL dbms.routing.getRoutingTable({}, 'neo4j')").single();
      Map<String, List<String>> out = new LinkedHashMap<>();
      out.put("WRITE", List.of());
      out.put("READ", List.of());
      out.put("ROUTE", List.of());
      r.get("servers").values().forEach(v ->
          out.put(v.get("role").asString(), v.get("addresses").asList(a -> a.asString())));
      return out;
    }
  }

  private static Session session(int member) {
    return member == 4 ? fourthDriver.session(SessionConfig.forDatabase("neo4j"))
        : cluster.probe().session(member);
  }

  private static List<Record> call(int member, String cypher, String arg) {
    try (Session s = session(member)) {
      return s.run(cypher, Values.parameters("m", arg)).list();
    }
  }

  private static String memberId(int member) {
    return cluster.layout().member(member).raftAdvertisedAddress();
  }

  private static List<String> memberIds(int member) {
    try (Session s = session(member)) {
      return s.run("CALL raft.members() YIELD memberId RETURN memberId")
          .list(r -> r.get(0).asString());
    }
  }

  private static void awaitLearner(int leader, String id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!memberIds(leader).contains(id)) {
      assertThat(System.nanoTime()).as("%s shows up as a learner", id).isLessThan(deadline);
      RoutingFixtures.pause(Duration.ofMillis(20));
    }
  }

  private static void awaitAcked(RoutedWriter writer, int count) {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (writer.ackedCount() < count) {
      if (System.nanoTime() > deadline) {
        List<String> errors = writer.errors();
        throw new AssertionError("only " + writer.ackedCount() + " of " + count
            + " routed writes acknowledged; last errors: "
            + errors.subList(Math.max(0, errors.size() - 5), errors.size()));
      }
      RoutingFixtures.pause(Duration.ofMillis(50));
    }
  }

  /** raft.digest() of the members once all report one applied index (bounded). */
  private static Map<Integer, String> sameDigests(List<Integer> members) {
    return RoutingFixtures.sameDigests(members, MembershipIT::session, CONVERGE);
  }
}
