package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;

/**
 * Majority lost on three real graft servers: {@code kill -9} of the two followers leaves the
 * leader alone. It must not acknowledge anything (§5.3: an entry commits only on a majority), and
 * CheckQuorum (thesis §6.2) must depose it: a write fails within the commit timeout
 * with "outcome UNKNOWN", or at once with NotALeader after the step-down; nothing of a failed
 * write becomes visible; reads go on; {@code raft.status()} shows no leader. After the two
 * restart, a leader is elected, writes resume, every write acknowledged before the kill is on all
 * three, the digests are equal, and each write that failed with "outcome unknown" is on all
 * members or on none.
 */
// One method holds the whole story, three server starts included (158 s at load 34 on 2 cores).
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MajorityLossIT {
  /** Short, so the "outcome unknown" path is seen within the test's budget. */
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(4);
  /** A failed write must be reported within the commit timeout plus this slack. */
  private static final Duration SLACK = Duration.ofSeconds(4);
  private static final Duration BOUND = Duration.ofSeconds(60);
  /** What the NotALeader message says when no leader can be named (plugin WriteAdvice). */
  private static final String NO_LEADER =
      "No leader is known right now: an election is running, or this member cannot reach a"
          + " majority of the 3 voting members (writes need 2 of them up)";
  private LocalCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void loneLeaderRefusesWritesStepsDownAndTheClusterRecoversWithEveryAckedWrite() {
    // A 3 s election timeout (CheckQuorum's period) leaves the first write after the kill time
    // to reach the lone leader before it steps down, even on a loaded machine: that write is the
    // "outcome unknown" case.
    cluster = LocalCluster.start(ProcessFixtures.options("majority-loss", 3, true, false)
        .withExtraSettings(Map.of(
            "server.raft.commit_timeout", COMMIT_TIMEOUT.toSeconds() + "s",
            "server.raft.election_timeout", "3s")));
    int survivor = cluster.awaitLeader();
    List<Integer> killed = List.of(survivor % 3 + 1, (survivor + 1) % 3 + 1);
    List<Long> acked = new ArrayList<>();
    for (long seq = 1; seq <= 30; seq++) {
      write(survivor, "Acked", seq);
      acked.add(seq);
    }
    killed.forEach(cluster::kill9);
    System.out.printf("[majority-loss] kill -9 of member-%s; member-%d (leader) is alone%n",
        killed, survivor);

    List<Long> unknown = failedWritesWhileAlone(survivor);
    try (Session s = cluster.probe().session(survivor)) {
      assertThat(ProcessFixtures.count(s, "MATCH (n:Acked) RETURN count(n)"))
          .as("reads on the survivor still work and see every acknowledged write").isEqualTo(30);
      assertThat(ProcessFixtures.count(s, "MATCH (n:Failed) RETURN count(n)"))
          .as("nothing of a failed write is visible while the majority is down").isZero();
    }
    await("member-" + survivor + " steps down (CheckQuorum)").atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> status(survivor), r -> !"LEADER".equals(r.get("role")));
    Map<String, Object> alone = status(survivor);
    System.out.println("[majority-loss] survivor's raft.status(): " + alone);
    assertThat(alone.get("leaderId")).as("no leader known").isNull();
    long notLeaderMillis = timeFailedWrite(survivor, -1, "NotALeader");
    System.out.printf("[majority-loss] write after the step-down refused in %d ms%n",
        notLeaderMillis);
    routedDriverReadsButCannotWrite(survivor);

    // One member back first, so the survivor, whose log holds the uncommitted entries, is one of
    // only two voters: if it wins it commits those entries in its new term, the case where a
    // duplicate token-creation entry used to panic every database on apply. (By §5.4.1 it should
    // always win here; one run saw the restarted member win: see it-tests/README.md.)
    cluster.restart(killed.get(0));
    int firstLeader = cluster.awaitLeader();
    System.out.printf("[majority-loss] with member-%d back: leader member-%d (survivor %d)%n",
        killed.get(0), firstLeader, survivor);
    cluster.restart(killed.get(1));
    int leader = cluster.awaitLeader();
    for (long seq = 31; seq <= 40; seq++) {
      write(leader, "Acked", seq);
      acked.add(seq);
    }
    Map<Integer, String> digests = sameDigests();
    System.out.printf("[majority-loss] new leader member-%d, digests %s%n", leader, digests);
    for (int m = 1; m <= 3; m++) {
      assertThat(seqs(m, "Acked")).as("acknowledged writes on member-%d", m)
          .containsExactlyInAnyOrderElementsOf(acked);
    }
    Set<Long> failedOnLeader = new HashSet<>(seqs(leader, "Failed"));
    for (int m = 1; m <= 3; m++) {
      assertThat(new HashSet<>(seqs(m, "Failed"))).as("failed writes on member-%d", m)
          .isEqualTo(failedOnLeader);
    }
    assertThat(unknown).as("the lone leader's writes timed out as 'outcome unknown'").isNotEmpty();
    System.out.printf("[majority-loss] outcome-unknown writes %s; present after recovery: %s%n",
        unknown, failedOnLeader);
  }

  /**
   * Writes on the lone member until it refuses with NotALeader (bounded); each attempt must fail
   * within the commit timeout plus slack. Returns the sequence numbers that failed as "outcome
   * unknown" (proposed to the lone leader's log, never committed while it was alone).
   */
  private List<Long> failedWritesWhileAlone(int member) {
    List<Long> unknown = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (long seq = 1000; System.nanoTime() < deadline; seq++) {
      long began = System.nanoTime();
      String code;
      String message;
      try {
        write(member, "Failed", seq);
        throw new AssertionError("member-" + member + " acknowledged write " + seq
            + " without a majority");
      } catch (Neo4jException e) {
        code = e.code();
        message = e.getMessage();
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      System.out.printf("[majority-loss] write %d failed after %d ms: %s %s%n", seq, millis, code,
          message);
      assertThat(Duration.ofMillis(millis)).as("write %d failure time", seq)
          .isLessThanOrEqualTo(COMMIT_TIMEOUT.plus(SLACK));
      if (code.endsWith("NotALeader")) {
        // Either the lone leader has paused writes to renew its lease after the unknown outcome
        // (plugin: a timed-out entry may still commit), or CheckQuorum has already deposed it.
        assertThat(message).contains("not the Raft leader")
            .containsAnyOf(NO_LEADER, "renews its lease after a write whose outcome is unknown");
        return unknown;
      }
      assertThat(code).isEqualTo("Neo.TransientError.Cluster.ReplicationFailure");
      assertThat(message).contains("UNKNOWN").contains("server.raft.commit_timeout");
      unknown.add(seq);
    }
    throw new AssertionError("member-" + member + " never refused with NotALeader in 20 s");
  }

  /**
   * A {@code neo4j://} driver bootstrapped from the survivor: graft's table has no writer while no
   * leader is known, so a managed write gives up after the driver's retry time with the driver's
   * "no write server" error; a managed read still finds the live member among the readers.
   */
  private void routedDriverReadsButCannotWrite(int survivor) {
    String hostPort = cluster.boltUri(survivor).substring("bolt://".length());
    try (Driver driver = GraphDatabase.driver("neo4j://" + hostPort, AuthTokens.none(),
        Config.builder().withLogging(Logging.none())
            .withConnectionTimeout(2, TimeUnit.SECONDS)
            .withMaxTransactionRetryTime(3, TimeUnit.SECONDS).build());
        Session s = driver.session(SessionConfig.forDatabase("neo4j"))) {
      long acked = s.executeRead(tx -> tx.run("MATCH (n:Acked) RETURN count(n)").single()
          .get(0).asLong());
      assertThat(acked).as("routed read during the majority loss").isEqualTo(30);
      long began = System.nanoTime();
      Throwable refused = catchThrowable(() -> s.executeWrite(
          tx -> tx.run("CREATE (:Failed {seq: -2})").consume()));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      System.out.printf("[majority-loss] routed write refused after %d ms (driver retry 3 s): %s%n",
          millis, refused);
      assertThat(refused).as("routed write with no leader")
          .isInstanceOfAny(SessionExpiredException.class, ServiceUnavailableException.class);
      assertThat(millis).as("routed write failure time").isLessThan(15_000);
    }
  }

  private long timeFailedWrite(int member, long seq, String expectedCode) {
    long began = System.nanoTime();
    try {
      write(member, "Failed", seq);
      throw new AssertionError("write acknowledged without a leader");
    } catch (Neo4jException e) {
      assertThat(e.code()).endsWith(expectedCode);
      assertThat(e.getMessage()).contains(NO_LEADER);
      System.out.println("[majority-loss] " + e.code() + ": " + e.getMessage());
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertThat(millis).as("a follower refuses at once").isLessThan(SLACK.toMillis());
    return millis;
  }

  private void write(int member, String label, long seq) {
    try (Session s = cluster.probe().session(member)) {
      s.run("CREATE (:" + label + " {seq: $seq})", Values.parameters("seq", seq)).consume();
    }
  }

  private List<Long> seqs(int member, String label) {
    try (Session s = cluster.probe().session(member)) {
      return s.run("MATCH (n:" + label + ") RETURN n.seq AS seq ORDER BY seq").list(
          r -> r.get("seq").asLong());
    }
  }

  private Map<String, Object> status(int member) {
    return cluster.probe().status(member).orElse(Map.of("role", "UNREACHABLE"));
  }

  /** Polls {@code raft.digest()} on all three until one applied index and one digest. */
  private Map<Integer, String> sameDigests() {
    Map<Integer, String> last = new LinkedHashMap<>();
    await("one applied index and digest on all three").atMost(BOUND)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> {
          Set<Long> applied = new HashSet<>();
          last.clear();
          for (int m = 1; m <= 3; m++) {
            try (Session s = cluster.probe().session(m)) {
              Record r = s.run("CALL raft.digest()").single();
              last.put(m, r.get("digest").asString());
              applied.add(r.get("appliedIndex").asLong());
            } catch (RuntimeException e) {
              last.put(m, "unreachable");
              applied.add(-1L);
            }
          }
          return applied.size() == 1 && !applied.contains(-1L)
              && new HashSet<>(last.values()).size() == 1;
        });
    return last;
  }
}
