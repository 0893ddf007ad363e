package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.MemberSpec;
import io.graft.cluster.NeoConfig;
import io.graft.cluster.NeoHome;
import io.graft.cluster.Ports;
import io.graft.cluster.ServerProcess;
import io.graft.cluster.tls.CertificateAuthority;
import io.graft.cluster.Waits;
import io.graft.cluster.harness.Digests;
import io.graft.cluster.harness.Drivers;
import io.graft.cluster.harness.RoutedWriter;
import io.graft.cluster.tls.ClusterCertificates;
import io.graft.it.ClusterPaths;
import io.graft.it.ItClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.neo4j.driver.Values;

/**
 * Issue 13: three real servers whose Raft links all use mutual TLS, configured exactly as a user
 * would ({@code dbms.ssl.policy.cluster.enabled=true}, {@code verify_hostname=true}, each
 * member's key and certificate from one CA in {@code certificates/cluster/}), set up by the same
 * code as {@code ./graft cluster start --tls}. One cluster serves every flow, in order:
 *
 * <ol>
 *   <li>every link is TLS (each member logged the others' certificates) and no member warns;
 *   <li>a {@code neo4j://} driver given a follower writes through the leader, and keeps writing
 *       across a kill -9 of the leader with no acknowledged write lost; the killed member
 *       restarts and rejoins over TLS; all digests equal;
 *   <li>a 4th server with a certificate of the cluster's CA is added with {@code
 *       raft.addMember} and ends with the same digest (catch-up over TLS);
 *   <li>a server whose certificate comes from another CA, and a server without TLS, each trying
 *       to join, are refused: each one's own log says why, naming what to change, the members'
 *       logs too, and neither ever hears from the cluster.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TlsClusterIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration ACKED = Duration.ofSeconds(90);
  private static LocalCluster cluster;
  private static ClusterCertificates certificates;
  private static final List<ServerProcess> extra = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    // options() resolves the plugin jar and fails (never skips) when it is missing or broken
    ClusterCertificates.Started started =
        ClusterCertificates.start(ItClusters.options("tls", 3));
    cluster = started.cluster();
    certificates = started.certificates();
  }

  @AfterAll
  static void stopCluster() {
    extra.forEach(s -> s.stop(Duration.ofSeconds(30)));
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void everyLinkIsMutualTlsAndNoMemberWarns() throws IOException {
    cluster.awaitLeader();
    for (int m = 1; m <= 3; m++) {
      int member = m;
      for (int other = 1; other <= 3; other++) {
        if (other != m) {
          awaitLogLine(cluster.home(m), "over TLS, certificate CN=member-" + other + ",");
        }
      }
      try (Session s = cluster.probe().session(member)) {
        Record r = s.run("CALL raft.status()").single();
        assertThat(r.get("warnings").asList()).as("member-%d warnings", member).isEmpty();
      }
      assertThat(logText(cluster.home(m))).contains("mutual TLS, dbms.ssl.policy.cluster: ")
          .doesNotContain("SECURITY WARNING");
    }
  }

  @Test
  @Order(2)
  void routedWritesAndFailoverWorkOverTls() throws Exception {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    List<Long> acked;
    try (Driver driver = Drivers.routing(cluster, follower, Duration.ofSeconds(60));
        RoutedWriter writer = new RoutedWriter(driver).start()) {
      writer.awaitAcked(20, ACKED);
      int beforeKill = writer.ackedCount();
      cluster.kill9(leader);
      System.out.printf("[tls] kill -9 of leader member-%d after %d routed writes%n", leader,
          beforeKill);
      writer.awaitAcked(beforeKill + 20, ACKED);
      writer.stop();
      acked = writer.acked();
    }
    int newLeader = cluster.awaitLeader();
    assertThat(newLeader).isNotEqualTo(leader);
    cluster.restart(leader);
    Map<Integer, Digests.Row> digests = Digests.awaitSame(cluster, List.of(1, 2, 3), CONVERGE);
    assertThat(digests.values().stream().map(Digests.Row::digest).distinct()).hasSize(1);
    Set<Long> present = new HashSet<>();
    try (Session s = cluster.probe().session(leader)) {
      s.run("MATCH (n:Routed) RETURN n.seq AS seq").forEachRemaining(
          r -> present.add(r.get("seq").asLong()));
    }
    assertThat(present).as("every acknowledged write, on the restarted member").containsAll(acked);
  }

  @Test
  @Order(3)
  void aFourthServerWithACertificateOfTheClusterCaIsAdded() throws Exception {
    // A TLS cluster's joiner gets a certificate of the cluster's CA and the policy (the harness)
    // The leader first: a started joiner names no leader until it is added, and awaitLeader
    // waits for every member to agree.
    int leader = cluster.awaitLeader();
    int fourthIndex = cluster.startJoiner();
    ServerProcess fourth = cluster.server(fourthIndex);
    String fourthId = cluster.memberId(fourthIndex);
    try (Session s = cluster.probe().session(leader)) {
      List<String> ids = s.run("CALL raft.addMember($m)", Values.parameters("m", fourthId))
          .list(r -> r.get("memberId").asString());
      assertThat(ids).contains(fourthId).hasSize(4);
    }
    try (Session s = cluster.probe().session(leader)) {
      s.run("UNWIND range(1, 10) AS i CREATE (:AfterJoin {i: i})").consume();
    }
    awaitLogLine(fourth.home().dir(), "over TLS, certificate CN=member-");
    Map<Integer, Digests.Row> digests =
        Digests.awaitSame(cluster, List.of(1, 2, 3, fourthIndex), CONVERGE);
    assertThat(digests.values().stream().map(Digests.Row::digest).distinct()).hasSize(1);
  }

  @Test
  @Order(4)
  void untrustedAndPlaintextServersAreRefusedAndTheirLogsSayWhy() throws Exception {
    CertificateAuthority otherCa = CertificateAuthority.create("other-ca", Duration.ofDays(1));
    // Joining servers: before their database exists they ask the members for its identity over
    // the Raft port, and these two are refused there already. They never finish starting (they
    // wait, logging why every 10 s, for up to ten minutes): nothing of theirs reaches the cluster.
    ServerProcess untrusted = joiner(5, home -> {
      Path base = home.resolve(ClusterCertificates.POLICY_DIRECTORY);
      // A certificate of the wrong CA; it trusts the cluster's CA (a plausible mistake).
      otherCa.writePolicyDirectory(base, otherCa.issue("member-5", List.of(MemberSpec.HOST),
          Duration.ofDays(1)));
      try {
        CertificateAuthority.writeCertificate(base.resolve("trusted").resolve("cluster.crt"),
            certificates.authority().certificate());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, ClusterCertificates.SETTINGS);
    ServerProcess plaintext = joiner(6, home -> { }, Map.of());

    String u = awaitLogLine(untrusted.home().dir(), "refused this member's certificate");
    System.out.println("[tls] untrusted member logged: " + u);
    assertThat(u).contains("does not trust the CA that signed it");
    String p = awaitLogLine(plaintext.home().dir(), "requires TLS");
    System.out.println("[tls] plaintext member logged: " + p);
    assertThat(p).contains("connected without TLS")
        .contains("enable dbms.ssl.policy.cluster.enabled (with its certificates) on "
            + plaintext.home().spec().raftAdvertisedAddress());
    int leader = cluster.awaitLeader();
    String members = logText(cluster.home(leader));
    assertThat(members).contains("presented no certificate signed by a CA this member trusts")
        .contains("Refused plaintext Raft connection from "
            + plaintext.home().spec().raftAdvertisedAddress());
    try (Session s = cluster.probe().session(leader)) {
      assertThat(s.run("CALL raft.members()").list()).as("the refused servers are no members")
          .hasSize(4);
    }
    for (ServerProcess refused : List.of(untrusted, plaintext)) {
      assertThat(refused.isAlive()).as("%s still waits", refused.home().spec().name()).isTrue();
      assertThat(findLogLine(refused.home().dir(), "Started.")).as("%s never started its"
          + " database", refused.home().spec().name()).isEmpty();
    }
  }

  /** A server in joining mode (the founders as initial members), not yet started fully. */
  private static ServerProcess joiner(int index, java.util.function.Consumer<Path> prepare,
      Map<String, String> settings) {
    int raftPort = Ports.freePort();
    MemberSpec spec = new MemberSpec(index, Ports.freePort(), Ports.freePort(), raftPort,
        raftPort);
    NeoHome home = new NeoHome(cluster.home(1).getParent().resolve("member-" + index), spec);
    Map<String, String> all = new HashMap<>(settings);
    all.put("db.tx_log.preallocate", "false");
    home.assemble(ClusterPaths.pluginJar(), new NeoConfig(true,
        cluster.layout().advertisedRaftAddresses(), "384m", "64m", all));
    prepare.accept(home.dir());
    ServerProcess server = new ServerProcess(home, ClusterPaths.lib(), true, false);
    synchronized (extra) {
      extra.add(server);
    }
    server.start();
    return server;
  }

  private static String logText(Path home) throws IOException {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("debug.log", "neo4j.log")) {
      Path log = home.resolve("logs").resolve(name);
      if (Files.exists(log)) {
        out.append(Files.readString(log));
      }
    }
    return out.toString();
  }

  /** Waits (bounded) for a line of the server's debug.log or neo4j.log containing text. */
  private static String awaitLogLine(Path home, String text) {
    return Waits.until(home + "'s logs to contain: " + text, Duration.ofSeconds(60),
        Duration.ofMillis(200), () -> findLogLine(home, text), Optional::isPresent).get();
  }

  private static Optional<String> findLogLine(Path home, String text) throws IOException {
    for (String name : List.of("debug.log", "neo4j.log")) {
      Path log = home.resolve("logs").resolve(name);
      if (Files.exists(log)) {
        try (Stream<String> lines = Files.lines(log)) {
          Optional<String> hit = lines.filter(l -> l.contains(text)).findFirst();
          if (hit.isPresent()) {
            return hit;
          }
        }
      }
    }
    return Optional.empty();
  }
}
