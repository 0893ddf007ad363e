package io.graft.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.Waits;
import io.graft.cluster.harness.Digests;
import io.graft.cluster.harness.MemberLogs;
import io.graft.cluster.harness.Snapshots;
import io.graft.it.ItClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * Issue 6, benchmark item 3: catch-up time of a NEW member vs store size. For each size S and
 * each catch-up path, a fresh 3-member cluster commits S MB of graph data through the leader;
 * then a 4th server on an EMPTY home (its address in no founder's configuration) is added with
 * {@code CALL raft.addMember} on a follower. Measured: the time until addMember returns (the
 * member was caught up as a learner and promoted to voter, thesis §4.2.1) and the time until its
 * {@code raft.digest()} equals the leader's.
 *
 * <p>Two paths: {@code log} (default retention: the whole history is still in the leader's log,
 * so the member replays it by AppendEntries, §5.3) and {@code snapshot} (the founders snapshot
 * their store every few entries and prune the log, §5.1, so the leader must stream a store copy,
 * §5.3 InstallSnapshot). Which path was really taken is read from member-4's debug.log (the
 * plugin logs "snapshot installed" on an install), not assumed.
 *
 * <p>A measurement, not a speed test: opt-in with {@code -Dcatchup.newMemberSizesMb=1,8,32}
 * (paths: {@code -Dcatchup.newMemberPaths=log,snapshot}, the default); it asserts only
 * correctness (voter, identical digest, the expected path), prints a Markdown table and writes it
 * to {@code target/new-member-catch-up.md}. Command:
 * {@code mvn -B -o -pl it-tests -am verify -Dtest=NewMemberCatchUpIT
 * -Dcatchup.newMemberSizesMb=1,8,32 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "catchup.newMemberSizesMb", matches = "[0-9, ]+")
class NewMemberCatchUpIT {
  private static final int TX_KB = 256;
  private static final int ROW_BYTES = 1_024;
  private static final Duration CATCH_UP_BOUND = Duration.ofMinutes(10);
  private static final Pattern INSTALL =
      Pattern.compile("snapshot installed: .* at index (\\d+), .* in (\\d+) ms");

  /** How the new member is expected to catch up, and the settings that force it. */
  private enum CatchUpPath {
    LOG,
    SNAPSHOT;

    Map<String, String> settings(int mb) {
      Map<String, String> all = new HashMap<>();
      // Neo4j preallocates every tx log file to its rotation size (256 MiB); a store copy would
      // then stream mostly zeros. Off on both paths so they run on the same store layout.
      all.put("db.tx_log.preallocate", "false");
      if (this == SNAPSHOT) {
        // About 4 snapshots per run, keep 2 entries: even the 1 MB run (4 write entries) prunes
        // index 1, so the log no longer holds the history when member-4 joins (§5.1).
        all.put("server.raft.snapshot_interval_entries", Integer.toString(snapshotEvery(mb)));
        all.put("server.raft.snapshot_log_ratio", "0"); // the interval alone decides
        all.put("server.raft.log_retained_entries", "2");
      }
      return Map.copyOf(all);
    }
  }

  /** Snapshot interval of the SNAPSHOT path: S MB are about 4*S entries of TX_KB. */
  private static int snapshotEvery(int mb) {
    return Math.max(4, mb);
  }

  /** The leader's applied index and its files on disk when member-4 is started. */
  private record LeaderFiles(long leaderIndex, double raftLogMb, double snapshotMb) {}

  /** One measured row; sizes are the leader's files on disk when member-4 is started. */
  private record Row(CatchUpPath expected, int mb, long leaderIndex, double raftLogMb,
      double snapshotMb, Duration addMember, Converged converged, String pathTaken) {
    String markdown() {
      return String.format(Locale.ROOT,
          "| %d | %s | %d | %.1f | %s | %.2f | %.2f | %.2f | %.2f | %s |",
          mb, expected.name().toLowerCase(Locale.ROOT), leaderIndex, raftLogMb,
          snapshotMb < 0 ? "-" : String.format(Locale.ROOT, "%.1f", snapshotMb),
          addMember.toMillis() / 1_000.0, seconds(converged.firstReply()),
          seconds(converged.sameIndex()), seconds(converged.sameDigest()), pathTaken);
    }

    private static double seconds(Duration d) {
      return d.toMillis() / 1_000.0;
    }
  }

  @Test
  void aNewMemberCatchesUpAndTheTimeIsRecorded() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (CatchUpPath path : paths()) {
      for (int mb : sizes()) {
        rows.add(measure(path, mb));
        report(rows);
      }
    }
    System.out.println(report(rows));
  }

  private static Row measure(CatchUpPath path, int mb) {
    String name = "new-member-" + path.name().toLowerCase(Locale.ROOT) + "-" + mb;
    Map<String, String> settings = path.settings(mb);
    try (LocalCluster cluster = ItClusters.start(name, 3, settings)) {
      int leader = cluster.awaitLeader();
      write(cluster, leader, mb);
      leader = cluster.awaitLeader();
      long leaderIndex = appliedIndex(cluster.probe().session(leader));
      Path raft = cluster.home(leader).resolve("data").resolve("raft").resolve("neo4j");
      if (path == CatchUpPath.SNAPSHOT) {
        Snapshots.awaitAtLeast(cluster, leader, Math.max(1, leaderIndex - snapshotEvery(mb)),
            Duration.ofMinutes(2));
      }
      double logMb = directoryBytes(raft.resolve("log")) / 1e6;
      double snapshotMb = path == CatchUpPath.SNAPSHOT
          ? directoryBytes(raft.resolve("snapshots")) / 1e6 : -1;
      int follower = leader % 3 + 1;
      int fourth = cluster.startJoiner();
      return join(cluster, follower, fourth, path, mb,
          new LeaderFiles(leaderIndex, logMb, snapshotMb));
    }
  }

  private static Row join(LocalCluster cluster, int follower, int fourth, CatchUpPath path,
      int mb, LeaderFiles sizes) {
    // Bolt connection set-up to member-4 is not part of the catch-up: open it before the clock.
    System.out.println("[new-member-catch-up] member-4 before joining: "
        + cluster.probe().status(fourth));
    String id = cluster.memberId(fourth);
    long began = System.nanoTime();
    List<Record> rows;
    try (Session s = cluster.probe().session(follower)) {
      rows = s.run("CALL raft.addMember($m)", Values.parameters("m", id)).list();
    }
    Duration added = Duration.ofNanos(System.nanoTime() - began);
    assertThat(rows).as("raft.addMember(%s) result", id).anySatisfy(r -> {
      assertThat(r.get("memberId").asString()).isEqualTo(id);
      assertThat(r.get("voting").asBoolean()).isTrue();
    });
    Converged equal = awaitSameDigest(cluster, fourth, began);
    String log = String.join("\n", MemberLogs.debugLog(cluster, fourth));
    Matcher install = INSTALL.matcher(log);
    String taken = "log replay";
    if (install.find()) {
      taken = "store copy at index " + install.group(1) + " (install " + install.group(2)
          + " ms) + log";
    }
    assertThat(taken.startsWith("store copy"))
        .as("member-4 caught up by %s; expected the %s path", taken, path)
        .isEqualTo(path == CatchUpPath.SNAPSHOT);
    Row row = new Row(path, mb, sizes.leaderIndex(), sizes.raftLogMb(), sizes.snapshotMb(), added,
        equal, taken);
    System.out.println("[new-member-catch-up] " + row.markdown());
    return row;
  }

  /** S MB of nodes in transactions of TX_KB each, through the leader's Bolt port. */
  private static void write(LocalCluster cluster, int leader, int mb) {
    try (Session session = cluster.probe().session(leader)) {
      String pad = "x".repeat(ROW_BYTES);
      int rowsPerTx = TX_KB * 1_024 / ROW_BYTES;
      for (int tx = 0; tx < Math.max(1, mb * 1_024 / TX_KB); tx++) {
        session.executeWrite(t -> t.run("UNWIND range(1, $n) AS i CREATE (:CatchUp {pad: $pad})",
            Map.of("n", rowsPerTx, "pad", pad)).consume());
      }
    }
  }

  /** When member-4 first answered, reached the leader's applied index, and its digest. */
  private record Converged(Duration firstReply, Duration sameIndex, Duration sameDigest) {}

  /**
   * Waits until member-4 answers, then until it and the current leader report one applied index
   * ({@code raft.status()}, cheap), then one digest (a full scan); times are since {@code began},
   * the whole bounded by {@link #CATCH_UP_BOUND}.
   */
  private static Converged awaitSameDigest(LocalCluster cluster, int fourth, long began) {
    Duration poll = Duration.ofMillis(50);
    Waits.until("member-4 answers raft.status()", left(began), poll,
        () -> cluster.probe().status(fourth), Optional::isPresent);
    Duration firstReply = Duration.ofNanos(System.nanoTime() - began);
    List<Integer> pair = List.of(fourth, cluster.awaitLeader());
    Digests.awaitSameAppliedIndex(cluster, pair, left(began), poll);
    Duration sameIndex = Duration.ofNanos(System.nanoTime() - began);
    Digests.awaitSame(cluster, pair, left(began), poll);
    return new Converged(firstReply, sameIndex, Duration.ofNanos(System.nanoTime() - began));
  }

  /** What is left of {@link #CATCH_UP_BOUND} since {@code began} (at least a second). */
  private static Duration left(long began) {
    Duration left = CATCH_UP_BOUND.minusNanos(System.nanoTime() - began);
    return left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left;
  }

  private static long appliedIndex(Session session) {
    try (session) {
      return session.run("CALL raft.status()").single().get("appliedIndex").asLong();
    }
  }

  private static long directoryBytes(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  private static List<Integer> sizes() {
    List<Integer> sizes = new ArrayList<>();
    for (String s : System.getProperty("catchup.newMemberSizesMb").split(",")) {
      if (!s.isBlank()) {
        sizes.add(Integer.parseInt(s.trim()));
      }
    }
    return sizes;
  }

  private static List<CatchUpPath> paths() {
    List<CatchUpPath> paths = new ArrayList<>();
    for (String s : System.getProperty("catchup.newMemberPaths", "log,snapshot").split(",")) {
      if (!s.isBlank()) {
        paths.add(CatchUpPath.valueOf(s.trim().toUpperCase(Locale.ROOT)));
      }
    }
    return paths;
  }

  private static String report(List<Row> rows) throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("Catch-up of a NEW member (4th server, empty home, raft.addMember on a follower)")
        .append(" after the leader committed S MB (3 founders, loopback, ").append(TX_KB)
        .append(" KB transactions, db.tx_log.preallocate=false)\n\n")
        .append("| S (MB) | path forced | leader applied index | leader Raft log (MB) |")
        .append(" leader snapshot (MB) |")
        .append(" addMember returned, voter (s) | member-4 first raft.status reply (s) |")
        .append(" same applied index (s) | digest equal to leader (s) |")
        .append(" path taken (member-4 debug.log) |\n|---|---|---|---|---|---|---|---|---|---|\n");
    rows.forEach(r -> out.append(r.markdown()).append('\n'));
    Path file = Path.of("target", "new-member-catch-up.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out.toString());
    return out.toString();
  }
}
