package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.Waits;
import io.graft.cluster.harness.Digests;
import io.graft.cluster.harness.Drivers;
import io.graft.cluster.harness.MemberLogs;
import io.graft.it.ItClusters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Driver;
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
 *
 * <p>The election after the first restart is checked against §5.4.1: every member's last log
 * term and index are recorded before it (the survivor's from {@code raft.status()}, the restarted
 * member's from the line its Raft node logs at start), each vote granted to the winner is read
 * from the voter's debug log (core-raft logs one line per RequestVote with both logs' last term
 * and index), and the winner's log must be at least as up to date as each voter's, both as the
 * vote line shows them and as recorded before the election. The survivor's log is the longest
 * there is; the restarted member's may grow to the same before the election, from AppendEntries
 * the survivor queued while it still led and its transport delivers after the reconnect (core-raft
 * {@code PeerChannel}: queued messages survive a peer's downtime). Then either may win; otherwise
 * only the survivor. An earlier run saw the restarted member win and the test stopped there
 * unexplained; the vote lines show it was this catch-up, not a vote against §5.4.1.
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
    cluster = LocalCluster.start(ItClusters.options("majority-loss", 3)
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
    long leaderTerm = (Long) status(survivor).get("term");
    long leaderLast = (Long) status(survivor).get("lastLogIndex");
    for (int m : killed) {
      await("member-" + m + " holds the leader's whole log").atMost(BOUND)
          .until(() -> status(m).get("lastLogIndex"), last -> Long.valueOf(leaderLast).equals(last));
    }
    killed.forEach(cluster::kill9);
    System.out.printf("[majority-loss] kill -9 of member-%s; member-%d (leader) is alone%n",
        killed, survivor);

    List<Long> unknown = failedWritesWhileAlone(survivor);
    try (Session s = cluster.probe().session(survivor)) {
      assertThat(ItClusters.count(s, "MATCH (n:Acked) RETURN count(n)"))
          .as("reads on the survivor still work and see every acknowledged write").isEqualTo(30);
      assertThat(ItClusters.count(s, "MATCH (n:Failed) RETURN count(n)"))
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
    // The survivor led leaderTerm until CheckQuorum deposed it (a step-down changes no term, and
    // its pre-votes cannot bump it): every entry it appended, the unknown ones too, is of that
    // term, and nothing can append to its log while no leader exists.
    Map<Integer, LogPosition> before = new LinkedHashMap<>();
    before.put(survivor, new LogPosition(leaderTerm, (Long) status(survivor).get("lastLogIndex")));
    assertThat(before.get(survivor).index()).as("the lone leader appended the unknown writes")
        .isGreaterThan(leaderLast);

    // One member back first, so the survivor, whose log holds the uncommitted entries, is one of
    // only two voters: if it wins it commits those entries in its new term, the case where a
    // duplicate token-creation entry used to panic every database on apply.
    cluster.restart(killed.get(0));
    before.put(killed.get(0), recoveredLog(killed.get(0)));
    System.out.printf("[majority-loss] before the election: last log (term, index) %s%n", before);
    int firstLeader = cluster.awaitLeader();
    long electedTerm = (Long) status(firstLeader).get("term");
    List<VoteLine> grants = grantsTo(firstLeader, electedTerm, before.keySet());
    System.out.printf("[majority-loss] with member-%d back: leader member-%d in term %d (survivor"
        + " %d); votes granted to it: %s%n", killed.get(0), firstLeader, electedTerm, survivor,
        grants);
    LogPosition longest = before.get(survivor);
    for (VoteLine grant : grants) {
      int voter = memberOf(grant.voter());
      String vote = String.format("member-%d (recorded %s, at the vote %s) voted for member-%d"
          + " (recorded %s, campaigning with %s)", voter, before.get(voter), grant.voterLog(),
          firstLeader, before.get(firstLeader), grant.candidateLog());
      grewWithin(grant.voterLog(), before.get(voter), longest, vote);
      grewWithin(grant.candidateLog(), before.get(firstLeader), longest, vote);
      assertThat(grant.candidateLog().atLeastAsUpToDateAs(grant.voterLog()))
          .as("§5.4.1 at the vote: %s", vote).isTrue();
      assertThat(grant.candidateLog().atLeastAsUpToDateAs(before.get(voter)))
          .as("§5.4.1 against the log recorded before the election: %s", vote).isTrue();
      System.out.println("[majority-loss] §5.4.1 holds: " + vote);
    }
    if (firstLeader != survivor) {
      System.out.printf("[majority-loss] the restarted member-%d won: its log had caught up to the"
          + " survivor's %s before the election (the survivor's queued AppendEntries)%n",
          firstLeader, longest);
    }
    cluster.restart(killed.get(1));
    int leader = cluster.awaitLeader();
    for (long seq = 31; seq <= 40; seq++) {
      write(leader, "Acked", seq);
      acked.add(seq);
    }
    Map<Integer, Digests.Row> digests = Digests.awaitSame(cluster, BOUND);
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
    List<Long> unknown = new CopyOnWriteArrayList<>();
    AtomicLong seq = new AtomicLong(999);
    // 20 s of attempts; the last one may take the commit timeout plus slack to fail.
    Waits.until("member-" + member + " refuses with NotALeader",
        Duration.ofSeconds(20).plus(COMMIT_TIMEOUT).plus(SLACK), Duration.ofMillis(1), () -> {
          long attempt = seq.incrementAndGet();
          long began = System.nanoTime();
          String code;
          String message;
          try {
            write(member, "Failed", attempt);
            throw new AssertionError("member-" + member + " acknowledged write " + attempt
                + " without a majority");
          } catch (Neo4jException e) {
            code = e.code();
            message = e.getMessage();
          }
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
          System.out.printf("[majority-loss] write %d failed after %d ms: %s %s%n", attempt,
              millis, code, message);
          assertThat(Duration.ofMillis(millis)).as("write %d failure time", attempt)
              .isLessThanOrEqualTo(COMMIT_TIMEOUT.plus(SLACK));
          if (code.endsWith("NotALeader")) {
            // Either the lone leader has paused writes to renew its lease after the unknown
            // outcome (plugin: a timed-out entry may still commit), or CheckQuorum has already
            // deposed it.
            assertThat(message).contains("not the Raft leader").containsAnyOf(NO_LEADER,
                "renews its lease after a write whose outcome is unknown");
            return true;
          }
          assertThat(code).isEqualTo("Neo.TransientError.Cluster.ReplicationFailure");
          assertThat(message).contains("UNKNOWN").contains("server.raft.commit_timeout");
          unknown.add(attempt);
          return false;
        }, refused -> refused);
    return List.copyOf(unknown);
  }

  /**
   * A {@code neo4j://} driver bootstrapped from the survivor: graft's table has no writer while no
   * leader is known, so a managed write gives up after the driver's retry time with the driver's
   * "no write server" error; a managed read finds the live member among the readers once the
   * survivor stops sending drivers seeded with it to other members (it does so for
   * GraftRoutingTableProvider's 15 s window after it first has no writer to name, so that drivers
   * find a majority's leader if one exists elsewhere).
   */
  private void routedDriverReadsButCannotWrite(int survivor) {
    try (Driver driver = Drivers.routing(cluster, survivor, Duration.ofSeconds(3));
        Session s = driver.session(SessionConfig.forDatabase("neo4j"))) {
      long began = System.nanoTime();
      long acked = await("a routed read on the survivor").atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(500)).ignoreException(ServiceUnavailableException.class)
          .until(() -> s.executeRead(tx -> tx.run("MATCH (n:Acked) RETURN count(n)").single()
              .get(0).asLong()), n -> true);
      System.out.printf("[majority-loss] routed read answered after %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
      assertThat(acked).as("routed read during the majority loss").isEqualTo(30);
      began = System.nanoTime();
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

  /** A log's last entry (term, index); §5.4.1 compares terms first, then indexes. */
  record LogPosition(long term, long index) {
    boolean atLeastAsUpToDateAs(LogPosition other) {
      return term > other.term || (term == other.term && index >= other.index);
    }

    @Override
    public String toString() {
      return "(" + term + ", " + index + ")";
    }
  }

  /** One "graft vote:" line of a member's debug log (core-raft {@code ElectionStep}). */
  record VoteLine(String voter, LogPosition voterLog, boolean granted, String candidate,
      LogPosition candidateLog, long term) {}

  private static final Pattern VOTE = Pattern.compile("graft vote: member (\\S+) \\[last log term"
      + " (\\d+), index (\\d+)\\] (GRANTED|REFUSED) its vote to (\\S+) \\[last log term (\\d+),"
      + " index (\\d+)\\] for term (\\d+)");
  private static final Pattern STARTED = Pattern.compile(
      "graft node \\S+ started: .*, log last index (\\d+) \\(term (\\d+)\\)");

  /**
   * No leader exists to truncate anything before this election, so a log only grows between the
   * recording and the vote, and never past the survivor's, the longest there is.
   */
  private static void grewWithin(LogPosition atVote, LogPosition recorded, LogPosition longest,
      String vote) {
    assertThat(atVote.atLeastAsUpToDateAs(recorded)).as("a log shrank: %s", vote).isTrue();
    assertThat(longest.atLeastAsUpToDateAs(atVote)).as("a log outgrew the survivor's %s: %s",
        longest, vote).isTrue();
  }

  /** The log a member's Raft node recovered at its latest start (its debug log says). */
  private LogPosition recoveredLog(int member) {
    return await("member-" + member + " logs its recovered Raft log").atMost(BOUND)
        .until(() -> debugLog(member).stream().map(STARTED::matcher).filter(Matcher::find)
            .map(m -> new LogPosition(Long.parseLong(m.group(2)), Long.parseLong(m.group(1))))
            .reduce((first, second) -> second), Optional::isPresent).orElseThrow();
  }

  /**
   * The votes granted to {@code leader} for {@code term} by the other members in {@code voters},
   * from their debug logs. The leader won a majority of 3, so at least one must be there.
   */
  private List<VoteLine> grantsTo(int leader, long term, Set<Integer> voters) {
    String id = cluster.layout().member(leader).raftAdvertisedAddress();
    return await("votes granted to member-" + leader + " for term " + term).atMost(BOUND)
        .until(() -> {
          List<VoteLine> found = new ArrayList<>();
          for (int m : voters) {
            if (m == leader) {
              continue;
            }
            for (String line : debugLog(m)) {
              Matcher v = VOTE.matcher(line);
              if (v.find() && v.group(4).equals("GRANTED") && v.group(5).equals(id)
                  && Long.parseLong(v.group(8)) == term) {
                found.add(new VoteLine(v.group(1), new LogPosition(Long.parseLong(v.group(2)),
                    Long.parseLong(v.group(3))), true, v.group(5), new LogPosition(
                    Long.parseLong(v.group(6)), Long.parseLong(v.group(7))), term));
              }
            }
          }
          return found;
        }, found -> !found.isEmpty());
  }

  private int memberOf(String raftAddress) {
    for (int m = 1; m <= 3; m++) {
      if (cluster.layout().member(m).raftAdvertisedAddress().equals(raftAddress)) {
        return m;
      }
    }
    throw new AssertionError("no member has Raft address " + raftAddress);
  }

  private List<String> debugLog(int member) {
    return MemberLogs.debugLog(cluster, member);
  }

  private Map<String, Object> status(int member) {
    return cluster.probe().status(member).orElse(Map.of("role", "UNREACHABLE"));
  }
}
