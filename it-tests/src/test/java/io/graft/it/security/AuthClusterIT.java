package io.graft.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.AuthToken;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Values;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.ClientException;

/**
 * Three real graft servers with {@code dbms.security.auth_enabled=true}, {@code neo4j}'s initial
 * password set on each home before the first start (as {@code neo4j-admin dbms
 * set-initial-password}). A {@code neo4j://} driver with credentials writes through the leader and
 * the writes are read back on the followers; {@code raft.status()} answers authenticated users;
 * a non-admin user (created on every member: the system database is not replicated) is refused the
 * membership procedures with {@code Neo.ClientError.Security.Forbidden} while {@code neo4j} runs
 * them; a wrong password or no credentials fail cleanly with an authentication error.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AuthClusterIT {
  private static final String ADMIN_PASSWORD = "graft-admin-secret";
  private static final String USER = "reader";
  private static final String USER_PASSWORD = "reader-secret-1";
  private static final AuthToken ADMIN = AuthTokens.basic("neo4j", ADMIN_PASSWORD);
  private static final AuthToken NON_ADMIN = AuthTokens.basic(USER, USER_PASSWORD);
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    // LocalCluster waits for a leader through raft.status() called as neo4j: with auth on, that
    // wait is itself the first check that the procedure answers an authenticated user.
    cluster = SecurityFixtures.start("auth", ADMIN_PASSWORD, Map.of());
    for (int m = 1; m <= 3; m++) {
      SessionConfig system = SessionConfig.forDatabase("system");
      try (Session s = cluster.probe().driver(m).session(system)) {
        s.run("CREATE USER " + USER + " SET PASSWORD $pw CHANGE NOT REQUIRED",
            Values.parameters("pw", USER_PASSWORD)).consume();
      }
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void routedDriverWithCredentialsWritesThroughTheLeaderAndFollowersReadItBack() {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    // Bootstrapped from a follower: the driver must learn the leader from graft's routing table.
    try (Driver driver = SecurityFixtures.routed(cluster, follower, NON_ADMIN)) {
      for (int i = 0; i < 20; i++) {
        int seq = i;
        try (Session s = driver.session(SessionConfig.forDatabase("neo4j"))) {
          s.executeWrite(tx -> tx.run("CREATE (:AuthWrite {seq: $seq, by: $user})",
              Values.parameters("seq", seq, "user", USER)).consume());
        }
      }
    }
    for (int m = 1; m <= 3; m++) {
      if (m == leader) {
        continue;
      }
      int member = m;
      try (Driver direct = SecurityFixtures.direct(cluster, member, NON_ADMIN)) {
        await("member-" + member + " has the 20 routed writes").atMost(BOUND)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> count(direct, "MATCH (n:AuthWrite) RETURN count(n)"), c -> c == 20);
      }
    }
  }

  @Test
  @Order(2)
  void raftStatusAnswersAuthenticatedUsersOnEveryMember() {
    int leader = cluster.awaitLeader();
    for (int m = 1; m <= 3; m++) {
      try (Driver d = SecurityFixtures.direct(cluster, m, NON_ADMIN);
          Session s = d.session(SessionConfig.forDatabase("neo4j"))) {
        Record r = s.run("CALL raft.status()").single();
        assertThat(r.get("role").asString()).as("member-%d role", m)
            .isEqualTo(m == leader ? "LEADER" : "FOLLOWER");
        assertThat(r.get("votingMembers").asList()).as("member-%d voters", m).hasSize(3);
      }
    }
  }

  @Test
  @Order(3)
  void wrongPasswordAndNoCredentialsFailWithAnAuthenticationError() {
    int m = cluster.awaitLeader() % 3 + 1;
    // One failed attempt per user only: Neo4j locks a user out for 5 s after 3 (auth rate limit).
    Map<AuthToken, String> bad = Map.of(
        AuthTokens.basic(USER, "not-the-password"), "unauthorized due to authentication failure",
        AuthTokens.none(), "only allowed when auth is disabled");
    for (Map.Entry<AuthToken, String> attempt : bad.entrySet()) {
      try (Driver d = SecurityFixtures.direct(cluster, m, attempt.getKey())) {
        assertThatThrownBy(d::verifyConnectivity)
            .isInstanceOf(AuthenticationException.class)
            .hasMessageContaining(attempt.getValue())
            .satisfies(e -> assertThat(((AuthenticationException) e).code())
                .isEqualTo("Neo.ClientError.Security.Unauthorized"));
      }
    }
  }

  @Test
  @Order(4)
  void nonAdminUserIsRefusedEveryMembershipProcedureWithAPermissionError() {
    int leader = cluster.awaitLeader();
    String target = cluster.layout().member(leader % 3 + 1).raftAdvertisedAddress();
    List<String> calls = List.of(
        "CALL raft.transferLeadership($t)", "CALL raft.removeMember($t)",
        "CALL raft.addMember('127.0.0.1:1')");
    for (int m : List.of(leader, leader % 3 + 1)) {
      try (Driver d = SecurityFixtures.direct(cluster, m, NON_ADMIN)) {
        for (String call : calls) {
          try (Session s = d.session(SessionConfig.forDatabase("neo4j"))) {
            assertThatThrownBy(() -> s.run(call, Values.parameters("t", target)).consume())
                .as("%s by %s on member-%d", call, USER, m)
                .isInstanceOf(ClientException.class)
                .satisfies(e -> assertThat(((ClientException) e).code())
                    .isEqualTo("Neo.ClientError.Security.Forbidden"))
                .hasMessageContaining("user '" + USER + "' is not allowed")
                .hasMessageContaining("server.raft.admin_users");
          }
        }
      }
    }
    // Refused means nothing changed: same leader, three voters.
    assertThat(cluster.awaitLeader()).isEqualTo(leader);
    assertThat(voters(leader)).hasSize(3);
  }

  @Test
  @Order(5)
  void adminRunsTransferRemoveAndAddMember() {
    int leader = cluster.awaitLeader();
    int next = leader % 3 + 1;
    int other = next % 3 + 1;
    String nextAddress = cluster.layout().member(next).raftAdvertisedAddress();
    String otherAddress = cluster.layout().member(other).raftAdvertisedAddress();
    try (Driver d = SecurityFixtures.direct(cluster, leader, ADMIN);
        Session s = d.session(SessionConfig.forDatabase("neo4j"))) {
      s.run("CALL raft.transferLeadership($t)", Values.parameters("t", nextAddress)).consume();
    }
    assertThat(cluster.awaitLeader()).isEqualTo(next);
    try (Driver d = SecurityFixtures.direct(cluster, next, ADMIN)) {
      try (Session s = d.session(SessionConfig.forDatabase("neo4j"))) {
        s.run("CALL raft.removeMember($t)", Values.parameters("t", otherAddress)).consume();
      }
      assertThat(voters(next)).doesNotContain(otherAddress).hasSize(2);
      try (Session s = d.session(SessionConfig.forDatabase("neo4j"))) {
        s.run("CALL raft.addMember($t)", Values.parameters("t", otherAddress)).consume();
      }
      await("member-" + other + " a voter again").atMost(BOUND)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> voters(next), v -> v.contains(otherAddress) && v.size() == 3);
    }
  }

  private static long count(Driver driver, String cypher) {
    try (Session s = driver.session(SessionConfig.forDatabase("neo4j"))) {
      return s.run(cypher).single().get(0).asLong();
    }
  }

  private static List<String> voters(int member) {
    try (Session s = cluster.probe().session(member)) {
      return new ArrayList<>(s.run("CALL raft.status()").single().get("votingMembers")
          .asList(v -> v.asString()));
    }
  }
}
