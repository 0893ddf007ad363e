package io.graft.it.faults;

import static io.graft.it.faults.ClusterWatch.acked;
import static io.graft.it.faults.ClusterWatch.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import io.graft.it.workload.SetWorkload;
import io.graft.it.workload.WorkloadResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.neo4j.driver.Session;

/**
 * A full disk on a real 3-server graft cluster, while the set workload writes through a {@code
 * neo4j://} driver: the leader's Raft log ({@code data/raft/neo4j}, test 1) and, separately, the
 * leader's Neo4j transaction log ({@code server.directories.transaction.logs.root}, i.e. {@code
 * data/transactions/neo4j}, test 2) each sit on a size-limited tmpfs ({@link Tmpfs}) that a filler
 * file fills up mid-run. What must happen (and is checked):
 *
 * <ul>
 *   <li>the member stops cleanly: its Raft node stops (role STOPPED in {@code raft.status()}),
 *       its {@code neo4j.log} says why ("No space left on device") and what to do, a write sent to
 *       it fails with NotALeader saying graft stopped there, and a routing request to it is
 *       refused so drivers go to the other members;</li>
 *   <li>the other two elect a leader and the workload keeps writing through graft's routing;</li>
 *   <li>no acknowledged insert is lost, none that definitely failed is present (the set
 *       workload's checks);</li>
 *   <li>once the space is given back and the member restarted (the operator step documented in
 *       the README), it recovers from its own disk, catches up, and all three digests are
 *       equal.</li>
 * </ul>
 *
 * <p>Needs root (mount(8)); a CI machine that cannot mount fails the test, it does not skip. Test
 * 1 (the Raft log) runs in the CI suite: {@code mvn -B -pl it-tests -am verify -Dtest=DiskFullIT
 * -Dsurefire.failIfNoSpecifiedTests=false}; replay the workload's choices with {@code
 * -Ddiskfull.seed=N}.
 *
 * <p>Test 2 (Neo4j's transaction log) runs only with {@code -Ddiskfull.txlog=true} (about 2
 * minutes more). There Neo4j panics the database (its append failed) and graft stops the member;
 * the failed append leaves a torn last entry in Neo4j's log, which Neo4j refuses to recover by
 * default ("Error reading transaction logs, recovery not possible ... entries with prefix 24").
 * graft recorded the failed apply with the consensusIndex then durable in Neo4j's log, so the
 * restart lets Neo4j's recovery cut the torn tail (that recovery only), checks that nothing
 * durable was cut, and re-applies the rest from the Raft log ({@code plugin/TornTxLogTail}); the
 * test checks the member's {@code neo4j.log} says so and the record is gone, besides the checks
 * above.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DiskFullIT {
  private static final Duration RUN = Duration.ofSeconds(Long.getLong("diskfull.seconds", 6));
  private static final long SEED = Long.getLong("diskfull.seed", System.nanoTime());
  private static final Duration EFFECT = Duration.ofSeconds(60);
  private static final Duration CONVERGE = Duration.ofSeconds(120);
  /** What the filler leaves free: a few hundred of the workload's Raft entries. */
  private static final long LEAVE_BYTES = 96 * 1024;
  private static final int TMPFS_MIB = 64;
  /** Whose Raft log, and whose Neo4j transaction log, live on a tmpfs. */
  private static final int RAFT_DISK_MEMBER = 1;
  private static final int TX_DISK_MEMBER = 2;
  private static final boolean TX_LOG = Boolean.getBoolean("diskfull.txlog");
  private static final List<Integer> ALL = List.of(1, 2, 3);
  private static LocalCluster cluster;
  private static ClusterWatch watch;
  private static Tmpfs raftDisk;
  private static Tmpfs txDisk;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.assemble(FaultClusters.options("disk-full", 3, Map.of()));
    try {
      raftDisk = Tmpfs.mount(cluster.home(RAFT_DISK_MEMBER).resolve("data/raft/neo4j"),
          TMPFS_MIB);
      if (TX_LOG) {
        txDisk = Tmpfs.mount(cluster.home(TX_DISK_MEMBER).resolve("data/transactions/neo4j"),
            TMPFS_MIB);
      }
      cluster.startAll();
      watch = new ClusterWatch(cluster, EFFECT, DiskFullIT::log);
    } catch (RuntimeException e) {
      stopCluster();
      throw e;
    }
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (raftDisk != null) {
        raftDisk.close();
      }
      if (txDisk != null) {
        txDisk.close();
      }
    }
  }

  @Test
  @Order(1)
  void theLeadersRaftLogRunsOutOfSpace() throws Exception {
    run(RAFT_DISK_MEMBER, raftDisk, "Raft log", false);
  }

  @Test
  @Order(2)
  @EnabledIfSystemProperty(named = "diskfull.txlog", matches = "true",
      disabledReason = "long form: -Ddiskfull.txlog=true (see the class comment)")
  void theLeadersTransactionLogRunsOutOfSpace() throws Exception {
    run(TX_DISK_MEMBER, txDisk, "Neo4j transaction log", true);
  }

  private static void run(int member, Tmpfs disk, String what, boolean panics)
      throws Exception {
    DiskSteps steps = new DiskSteps(member, disk, what, panics);
    ScriptedNemesis script = new ScriptedNemesis("disk-full " + what, s -> steps.heal(),
        DiskFullIT::log)
        .then("fill-disk", steps::fill)
        .then("free-disk-and-restart", steps::freeAndRestart);
    List<Integer> members = new ArrayList<>(ALL);
    // The driver's entry point is a member whose disk stays fine.
    members.remove(Integer.valueOf(member));
    members.add(member);
    RoutedCluster target = new RoutedCluster(cluster, members, script, CONVERGE);
    log(what + ": seed=" + SEED + " (replay: -Ddiskfull.seed=" + SEED + ")");
    WorkloadResult r = new SetWorkload(SetWorkload.Options.defaults()).run(target, RUN, SEED);
    String context = r.summary() + "\nscript: " + script.schedule() + "\nerrors clients saw: "
        + ClusterWatch.errorsSeen(r);
    log(context);
    assertThat(script.problems()).as("effects not seen; " + context).isEmpty();
    assertThat(script.finished()).as(context).isTrue();
    assertThat(r.valid()).as(context).isTrue();
    assertThat(r.stats()).as(context).containsKey("writesAfterHeal");
    assertThat(r.digests()).as(context).hasSize(3);
    assertThat(new HashSet<>(r.digests().values())).as(context).hasSize(1);
    assertThat(acked(events(r), script.at("stopped"), script.at("free-disk-and-restart:start")))
        .as("writes acknowledged by the other two while the member was stopped; " + context)
        .isPositive();
  }

  /** Fill the leader's disk, see it stop cleanly; give the space back, restart, see it rejoin. */
  private static final class DiskSteps {
    private final int member;
    private final Tmpfs disk;
    private final String what;
    /** Whether Neo4j panics the database (its own log is full) rather than graft stopping. */
    private final boolean panics;

    DiskSteps(int member, Tmpfs disk, String what, boolean panics) {
      this.member = member;
      this.disk = disk;
      this.what = what;
      this.panics = panics;
    }

    String fill(ScriptedNemesis s) throws IOException {
      int leader = watch.leaderAmong(ALL);
      if (leader != member) {
        watch.transferLeadership(leader, member, ALL);
      }
      long term = watch.term(member);
      long logAt = size(neo4jLog(member));
      long filler = disk.fill(LEAVE_BYTES);
      s.mark("filled");
      Map<String, Object> row = watch.awaitRole(s, member, "STOPPED");
      s.mark("stopped");
      List<Integer> others = new ArrayList<>(ALL);
      others.remove(Integer.valueOf(member));
      int next = watch.newLeader(s, others, term);
      String said = awaitLogLine(s, neo4jLog(member), logAt, "STOPPED after a fatal error");
      s.check(said.contains("No space left on device"), "neo4j.log of member-" + member
          + " does not name the full disk: " + said);
      String refusal = directWrite(member);
      s.check(!refusal.equals("accepted"), "the stopped member-" + member + " took a write");
      if (!panics) {
        // The database itself is fine, graft refuses: it must say why (Neo4j's own panic says so
        // for the transaction log).
        s.check(refusal.contains("NotALeader") && refusal.contains("graft stopped on this member"),
            "a write on the stopped member-" + member + " did not say why: " + refusal);
      }
      return what + " of leader member-" + member + " filled (" + filler + " bytes of filler, "
          + disk.usableBytes() + " bytes left): member-" + member + " " + row.get("role")
          + "; neo4j.log: " + said + "; a write on it: " + refusal + "; new leader member-" + next
          + "; " + watch.awaitWrites(s, next);
    }

    String freeAndRestart(ScriptedNemesis s) throws IOException {
      disk.free();
      long logAt = size(neo4jLog(member));
      cluster.restart(member);
      int leader = watch.leaderAmong(ALL);
      String recovered = "";
      if (panics) {
        // Neo4j's log ended in the torn append: recovery cut it, graft checked nothing durable
        // was cut (plugin/TornTxLogTail) and removed its record of the failed apply.
        recovered = "; neo4j.log: " + awaitLogLine(s, neo4jLog(member), logAt,
            "recovered after a failed apply");
        Path record = cluster.home(member).resolve("data/raft/neo4j/neo4j-log-failed-append");
        s.check(!Files.exists(record), record + " still there after the restart");
      }
      return "filler deleted (" + disk.usableBytes() + " bytes free), member-" + member
          + " restarted; leader member-" + leader + recovered + "; " + caughtUp(s);
    }

    String heal() {
      disk.free();
      if (!cluster.server(member).isAlive()) {
        cluster.restart(member);
      }
      return "filler deleted; leader member-" + watch.leaderAmong(ALL);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static Path neo4jLog(int member) {
    return cluster.home(member).resolve("logs/neo4j.log");
  }

  private static long size(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  /** The first line after {@code offset} containing {@code needle} (bounded wait). */
  private static String awaitLogLine(ScriptedNemesis s, Path log, long offset, String needle) {
    FaultClusters.Polled<String> seen = FaultClusters.poll(EFFECT, Duration.ofMillis(200), () -> {
      try {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        String fresh = new String(all, from, all.length - from, StandardCharsets.UTF_8);
        for (String line : fresh.split("\n")) {
          if (line.contains(needle)) {
            return line.length() > 600 ? line.substring(0, 600) + "..." : line;
          }
        }
      } catch (IOException e) {
        // not there yet
      }
      return "";
    }, line -> !line.isEmpty());
    if (!seen.held()) {
      s.problem(log + " never said '" + needle + "'");
    }
    return seen.last();
  }

  /** Every member reports the same applied index (bounded). */
  private static String caughtUp(ScriptedNemesis s) {
    FaultClusters.Polled<Map<Integer, Object>> seen = FaultClusters.poll(CONVERGE,
        Duration.ofMillis(250), () -> {
          Map<Integer, Object> applied = new TreeMap<>();
          for (int m : ALL) {
            applied.put(m, cluster.probe().status(m).map(r -> r.get("appliedIndex"))
                .orElse(-1L));
          }
          return applied;
        }, applied -> new HashSet<>(applied.values()).size() == 1);
    if (!seen.held()) {
      s.problem("members did not catch up: " + seen.last());
      return "NOT caught up: " + seen.last();
    }
    return "every member applied index " + seen.last().get(1);
  }

  /** What a client writing directly to {@code member} is told. */
  private static String directWrite(int member) {
    try (Session session = cluster.probe().session(member)) {
      session.run("CREATE (:DiskFullProbe)").consume();
      return "accepted";
    } catch (RuntimeException e) {
      String code = e instanceof org.neo4j.driver.exceptions.Neo4jException n ? n.code() : "";
      return code + " " + e.getMessage();
    }
  }

  private static void log(String line) {
    System.out.println("[disk-full] " + line);
  }
}
