package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * A follower whose whole {@code data/} is wiped and that restarts under the same address has
 * forgotten its Raft term and vote (Raft §5.2): the others refuse it (it logs why, with the way
 * out), the cluster keeps committing, and raft.removeMember + raft.addMember bring it back as a
 * new member with the same graph digest as the others.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ResetMemberIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RoutingFixtures.start("reset-member", 3, Map.of());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void wipedFollowerIsRefusedThenRemovedAndAddedBack() throws Exception {
    int leader = cluster.awaitLeader();
    int follower = leader % 3 + 1;
    String followerId = cluster.layout().member(follower).raftAdvertisedAddress();
    write(leader, "BeforeWipe", 20);

    cluster.stop(follower);
    deleteTree(cluster.home(follower).resolve("data"));
    cluster.server(follower).start();
    cluster.server(follower).awaitStarted(Duration.ofSeconds(180),
        line -> System.out.println("[member-" + follower + "] " + line));
    String refusal = "presents a new identity";
    awaitLogLine(follower, refusal);
    awaitLogLine(leader, "member " + followerId + " " + refusal);
    String line = awaitLogLine(follower, "raft.removeMember('" + followerId + "')");
    System.out.println("[reset-member] the wiped member logged: " + line.trim());
    // The others keep committing without it.
    write(leader, "WhileRefused", 20);
    try (Session s = cluster.probe().session(follower)) {
      assertThat(s.run("MATCH (n:BeforeWipe) RETURN count(n)").single().get(0).asLong())
          .as("the wiped member received nothing").isZero();
    }

    call(leader, "CALL raft.removeMember($m)", followerId);
    List<String> ids = call(leader, "CALL raft.addMember($m)", followerId);
    assertThat(ids).contains(followerId);
    write(leader, "AfterRejoin", 5);
    Map<Integer, String> digests = RoutingFixtures.sameDigests(
        List.of(1, 2, 3), m -> cluster.probe().session(m), CONVERGE);
    System.out.println("[reset-member] digests after rejoin: " + digests);
    assertThat(Set.copyOf(digests.values())).hasSize(1);
    try (Session s = cluster.probe().session(follower)) {
      assertThat(s.run("MATCH (n:BeforeWipe) RETURN count(n)").single().get(0).asLong())
          .isEqualTo(20);
    }
  }

  private static void write(int member, String label, int count) {
    try (Session s = cluster.probe().session(member)) {
      for (int i = 0; i < count; i++) {
        s.run("CREATE (:" + label + " {i: $i})", Values.parameters("i", i)).consume();
      }
    }
  }

  private static List<String> call(int member, String cypher, String arg) {
    try (Session s = cluster.probe().session(member)) {
      return s.run(cypher, Values.parameters("m", arg)).list(r -> r.get("memberId").asString());
    }
  }

  /**
   * Waits (bounded) for a line of {@code member}'s server log (debug.log or neo4j.log: where
   * java.util.logging warnings land) containing {@code text}.
   */
  private static String awaitLogLine(int member, String text) throws IOException {
    Path logs = cluster.home(member).resolve("logs");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (String name : List.of("debug.log", "neo4j.log")) {
        Path log = logs.resolve(name);
        if (Files.exists(log)) {
          try (Stream<String> lines = Files.lines(log)) {
            Optional<String> hit = lines.filter(l -> l.contains(text)).findFirst();
            if (hit.isPresent()) {
              return name + ": " + hit.get();
            }
          }
        }
      }
      RoutingFixtures.pause(Duration.ofMillis(200));
    }
    throw new AssertionError("member-" + member + "'s logs never contained: " + text);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
