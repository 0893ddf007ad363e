package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.NeoHome;
import io.graft.it.ItClusters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * One durable log (issue 10): with {@code server.raft.neo4j_log_force=CHECKPOINT} (the default)
 * applying a committed write does not force Neo4j's transaction log; the Raft log is the
 * durability point and a restarted member re-applies from it whatever Neo4j did not recover. This
 * test kills EVERY member with {@code kill -9} at random points while eight clients write, then
 * restarts them all, and checks, per trial: every acknowledged write is on every member, no write
 * is there twice, {@code raft.digest()} is equal on all three at one applied index, and each
 * member's Neo4j started cleanly (no failed start, panic, corruption or apply failure in its
 * debug.log since the restart). Checkpoints (every 3 s / 200 tx), Neo4j log rotations (256 KiB
 * files), Raft snapshots with log compaction (every 500 entries, written while applying) and
 * label creations (every 25th write of a writer) all happen during the load, so the kills land
 * around them too.
 *
 * <p>Modes ({@code -Dcrash.mode}): {@code write-through} (the default, what a server does: each
 * applied run is written to the operating system, not forced, so a kill -9 loses nothing Neo4j
 * applied) and {@code buffered} (the crash-test knob {@code graft.crashtest.bufferedNeo4jLog}:
 * applies leave Neo4j's log tail in its buffer, so each kill -9 loses an applied tail as an
 * operating-system crash loses an unforced one, and the store may be ahead of the surviving log;
 * the test then also asserts that some member did recover less than it had applied, i.e. the
 * re-apply from the Raft log was exercised).
 *
 * <p>Short form (CI): one trial. Long form: {@code -Dcrash.trials=20}. Each trial prints its seed
 * and choices; {@code -Dcrash.seed=S} replays them (load length, kill order and gaps; the
 * interleaving with the servers is real concurrency and does not replay).
 *
 * <pre>
 * mvn -B -pl it-tests -am verify -Dtest=CrashSafetyIT \
 *     -Dcrash.trials=20 -Dcrash.mode=buffered -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Timeout(value = 90, unit = TimeUnit.MINUTES)
class CrashSafetyIT {
  private static final int WRITERS = 8;
  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final Pattern STARTUP = Pattern.compile("applied index (\\d+): Neo4j recovered"
      + " consensusIndex (-?\\d+), lease file index (\\d+); Raft log up to (\\d+)");
  private static final String CUT_TAIL_FOLDER = "corrupted-neostore.transaction.db";
  /** Lines that mean Neo4j's recovery or graft's apply did not come back cleanly. */
  private static final Pattern UNCLEAN = Pattern.compile("(?i)panic|corrupt|Failed to start"
      + "|NonUniqueToken|Could not apply|applying a committed Raft entry failed"
      + "|state machine stopped|recovery.*(failed|error)|Fail to recover"
      // graft let Neo4j's recovery cut a torn tail because an apply had failed (TornTxLogTail)
      + "|after a failed apply");
  /**
   * Neo4j's startup listing of the folder where recovery keeps the bytes it cut after the last
   * complete entry of its transaction log ({@code CorruptedLogsTruncator}): the folder's name,
   * then one archive per cut, {@code <folder name>-<log version>-<offset>-<millis>.zip}.
   * A cut alone is not unclean (see {@link #cutTails}); these listing lines are left out of {@link
   * #UNCLEAN}'s check, every other line naming a corruption still fails it.
   */
  private static final Pattern CUT_TAIL_LISTING = Pattern.compile(
      "^\\s*(\\[[^\\]]*\\]\\s+)?" + CUT_TAIL_FOLDER.replace(".", "\\.")
          + "(:\\s*$|-\\d+-\\d+-\\d+\\.zip: )");
  private static final Pattern CUT_MILLIS = Pattern.compile("-(\\d+)\\.zip$");
  private LocalCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killingEveryMemberUnderLoadLosesNoAcknowledgedWriteAndLeavesEqualDigests() {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    int trials = Integer.getInteger("crash.trials", 1);
    boolean buffered = "buffered".equals(System.getProperty("crash.mode", "write-through"));
    Map<String, String> settings = new HashMap<>(Map.of(
        "db.checkpoint.interval.time", "3s",
        "db.checkpoint.interval.tx", "200",
        "db.tx_log.rotation.size", "256k",
        "server.raft.snapshot_interval_entries", "500",
        "server.raft.snapshot_log_ratio", "0", // snapshots every 500 entries, crashes among them
        "server.raft.log_retained_entries", "100"));
    if (buffered) {
      settings.put(NeoHome.JVM_ADDITIONAL, "-Dgraft.crashtest.bufferedNeo4jLog=true");
    }
    System.out.printf("[crash] seed=%d trials=%d mode=%s (replay: -Dcrash.seed=%d"
        + " -Dcrash.trials=%d -Dcrash.mode=%s)%n", seed, trials, buffered ? "buffered"
        : "write-through", seed, trials, buffered ? "buffered" : "write-through");
    cluster = LocalCluster.start(ItClusters.options("crash-safety", 3)
        .withExtraSettings(settings));
    Map<Long, Set<Long>> acked = new LinkedHashMap<>();
    int lostTails = 0;
    int cutTails = 0;
    for (int trial = 1; trial <= trials; trial++) {
      Random random = new Random(seed + trial);
      TrialResult r = trial(trial, random, acked);
      lostTails += r.lostTails();
      cutTails += r.cutTails();
      System.out.printf("[crash] trial %d/%d passed: %d writes acknowledged (%d in all),"
          + " digest %s at index %d; members that recovered less than they had applied: %d%n",
          trial, trials, r.ackedThisTrial(), total(acked), r.digest(), r.appliedIndex(),
          r.lostTails());
    }
    System.out.printf("[crash] %d trials: every acknowledged write present on every member,"
        + " digests equal, recovery clean; %d member restarts re-applied a lost Neo4j tail from"
        + " the Raft log; %d restarts found an incomplete last entry in Neo4j's log (cut by its"
        + " recovery)%n", trials, lostTails, cutTails);
    if (buffered) {
      assertThat(lostTails).as("in buffered mode some member recovered less than it had applied"
          + " and re-applied the rest from its Raft log").isPositive();
    }
  }

  private record TrialResult(int ackedThisTrial, String digest, long appliedIndex,
      int lostTails, int cutTails) {}

  private TrialResult trial(int trial, Random random, Map<Long, Set<Long>> acked) {
    int leader = cluster.awaitLeader();
    int loadUntil = 300 + random.nextInt(1500);
    List<Integer> order = new ArrayList<>(List.of(1, 2, 3));
    Collections.shuffle(order, random);
    List<Integer> gapsMillis = List.of(random.nextInt(400), random.nextInt(400));
    System.out.printf("[crash] trial %d: leader member-%d; load until %d more writes are"
        + " acknowledged, then kill -9 of %s with gaps %s ms%n", trial, leader, loadUntil, order,
        gapsMillis);
    Writers writers = new Writers(trial, leader);
    long before = total(acked);
    writers.start();
    await("writes acknowledged under load").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(20)).until(() -> writers.count() >= loadUntil);
    checkLatencies(writers.target);
    Map<Integer, Long> appliedBeforeKill = new HashMap<>();
    Map<Integer, Long> debugOffsets = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      int m = order.get(i);
      cluster.probe().status(m).ifPresent(row -> appliedBeforeKill.put(m,
          ((Number) row.get("appliedIndex")).longValue()));
      cluster.kill9(m);
      debugOffsets.put(m, size(debugLog(m)));
      if (i < gapsMillis.size()) {
        int gap = gapsMillis.get(i);
        await().pollDelay(Duration.ofMillis(gap)).atMost(Duration.ofMillis(gap + 1000))
            .until(() -> true);
      }
    }
    writers.stop();
    writers.ackedPairs().forEach(p -> acked.computeIfAbsent(p[0], k -> new HashSet<>()).add(p[1]));
    int ackedThisTrial = (int) (total(acked) - before);
    System.out.printf("[crash] trial %d: all three killed (applied indexes just before: %s);"
        + " %d writes acknowledged this trial; restarting%n", trial, appliedBeforeKill,
        ackedThisTrial);

    long restartedAt = System.currentTimeMillis();
    cluster.startAll();
    int lostTails = 0;
    int cuts = 0;
    for (int m = 1; m <= 3; m++) {
      String since = readFrom(debugLog(m), debugOffsets.get(m));
      Matcher start = STARTUP.matcher(since);
      assertThat(start.find()).as("member-%d logged its applied index at start", m).isTrue();
      long applied = Long.parseLong(start.group(1));
      long recovered = Long.parseLong(start.group(2));
      long raftLog = Long.parseLong(start.group(4));
      long beforeKill = appliedBeforeKill.getOrDefault(m, -1L);
      System.out.printf("[crash] trial %d member-%d restarted: applied index %d (Neo4j recovered"
          + " consensusIndex %d, lease index %s), Raft log up to %d, had applied >= %d before"
          + " the kill%n", trial, m, applied, recovered, start.group(3), raftLog, beforeKill);
      assertThat(raftLog).as("member-%d's Raft log holds what it had applied", m)
          .isGreaterThanOrEqualTo(applied);
      if (recovered < beforeKill) {
        lostTails++;
      }
    }
    Map<Integer, Record> digests = awaitSameDigest();
    Record any = digests.get(1);
    for (int m = 1; m <= 3; m++) {
      checkWrites(m, acked);
      String since = readFrom(debugLog(m), debugOffsets.get(m));
      List<String> unclean = since.lines()
          .filter(l -> !CUT_TAIL_LISTING.matcher(l).find())
          .filter(l -> UNCLEAN.matcher(l).find()).toList();
      assertThat(unclean).as("member-%d's debug.log since the restart", m).isEmpty();
      // Made by this restart's recovery: created since the restart (archives of earlier trials
      // stay in the folder).
      List<String> newCuts = cutTails(m).stream()
          .filter(name -> cutMillis(name) >= restartedAt).sorted().toList();
      if (!newCuts.isEmpty()) {
        // Neo4j recovered with its default internal.dbms.tx_log.fail_on_corrupted_log_files=true
        // (graft relaxes it only after a failed apply, which UNCLEAN rules out), so its recovery
        // read to the end of the log without an error (an unreadable entry would have stopped the
        // start) and what it cut after the last complete entry was an incomplete one.
        System.out.printf("[crash] trial %d member-%d: Neo4j's recovery cut an incomplete last"
            + " entry of its transaction log (%s), re-applied from the Raft log%n", trial, m,
            newCuts);
        cuts += newCuts.size();
      }
      assertThat(cluster.server(m).databaseFailure()).as("member-%d started its database", m)
          .isEmpty();
    }
    return new TrialResult(ackedThisTrial, any.get("digest").asString(),
        any.get("appliedIndex").asLong(), lostTails, cuts);
  }

  /**
   * {@code raft.latency()} on the member taking the writes: every stage of a write's timeline, in
   * order, recorded for the writes it proposed; the Neo4j-side stages come after core-raft's.
   */
  private void checkLatencies(int leader) {
    Map<String, Record> rows = new LinkedHashMap<>();
    try (Session s = cluster.probe().session(leader)) {
      s.run("CALL raft.latency()").list().forEach(r -> rows.put(r.get("stage").asString(), r));
    }
    assertThat(rows.keySet()).containsExactly("encoded", "sent", "own_fsync_done",
        "quorum_durable", "committed", "handed_to_apply", "apply_started", "neo4j_commit_done",
        "committer_released", "raft_log_fsync", "neo4j_log_force");
    for (String stage : List.of("encoded", "committed", "apply_started", "neo4j_commit_done",
        "committer_released", "raft_log_fsync")) {
      assertThat(rows.get(stage).get("count").asLong()).as("%s count on member-%d", stage, leader)
          .isPositive();
    }
    assertThat(rows.get("committer_released").get("p50Ms").asDouble())
        .as("a committer is released after its apply started")
        .isGreaterThanOrEqualTo(rows.get("apply_started").get("p50Ms").asDouble());
    System.out.printf("[crash] raft.latency() on member-%d: %s%n", leader, rows.values().stream()
        .map(r -> String.format("%s n=%d p50=%.2fms p99=%.2fms", r.get("stage").asString(),
            r.get("count").asLong(), r.get("p50Ms").asDouble(), r.get("p99Ms").asDouble()))
        .toList());
  }

  /** Every acknowledged (writer, seq) is on member m, and nothing is there twice. */
  private void checkWrites(int m, Map<Long, Set<Long>> acked) {
    Map<Long, Set<Long>> present = new HashMap<>();
    long nodes;
    try (Session s = cluster.probe().session(m)) {
      nodes = s.run("MATCH (n:Crash) RETURN count(n) AS c").single().get("c").asLong();
      s.run("MATCH (n:Crash) RETURN n.key AS key, n.seq AS seq").list().forEach(r ->
          present.computeIfAbsent(r.get("key").asLong(), k -> new HashSet<>())
              .add(r.get("seq").asLong()));
    }
    long distinct = present.values().stream().mapToLong(Set::size).sum();
    assertThat(nodes).as("member-%d: no write applied twice", m).isEqualTo(distinct);
    for (Map.Entry<Long, Set<Long>> e : acked.entrySet()) {
      assertThat(present.getOrDefault(e.getKey(), Set.of()))
          .as("member-%d: acknowledged writes of writer key %d", m, e.getKey())
          .containsAll(e.getValue());
    }
  }

  /** One applied index and one digest on all three (bounded); returns each member's row. */
  private Map<Integer, Record> awaitSameDigest() {
    Map<Integer, Record> last = new LinkedHashMap<>();
    await("one applied index and digest on all three").atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> {
          last.clear();
          for (int m = 1; m <= 3; m++) {
            try (Session s = cluster.probe().session(m)) {
              last.put(m, s.run("CALL raft.digest()").single());
            }
          }
          Set<String> digests = new HashSet<>();
          Set<Long> indexes = new HashSet<>();
          last.values().forEach(r -> {
            digests.add(r.get("digest").asString());
            indexes.add(r.get("appliedIndex").asLong());
          });
          return digests.size() == 1 && indexes.size() == 1;
        });
    return last;
  }

  private static long total(Map<Long, Set<Long>> acked) {
    return acked.values().stream().mapToLong(Set::size).sum();
  }

  /**
   * The archives in member {@code m}'s database folder, one per cut Neo4j's recovery made of a
   * transaction log's tail: an incomplete last entry, which a kill -9 leaves when it lands in the
   * middle of an append (in buffered mode whenever an entry spanned a log rotation: its first part
   * was written out at the rotation, the rest was still in the buffer).
   */
  private Set<String> cutTails(int m) {
    Path folder = cluster.home(m).resolve("data").resolve("databases").resolve("neo4j")
        .resolve(CUT_TAIL_FOLDER);
    if (!Files.isDirectory(folder)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The creation time in an archive's name ({@code ...-<log version>-<offset>-<millis>.zip}). */
  private static long cutMillis(String archive) {
    Matcher m = CUT_MILLIS.matcher(archive);
    return m.find() ? Long.parseLong(m.group(1)) : Long.MIN_VALUE;
  }

  private Path debugLog(int m) {
    return cluster.home(m).resolve("logs").resolve("debug.log");
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readFrom(Path file, long offset) {
    try {
      byte[] all = Files.readAllBytes(file);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@link #WRITERS} clients writing {@code (:Crash {key, seq})} to whoever is leader, one write
   * at a time each; a write counts as acknowledged only when its commit returned. The key is
   * unique per writer and trial, so a retried sequence number never collides.
   */
  private final class Writers {
    private final int trial;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger count = new AtomicInteger();
    private final Map<Long, Set<Long>> acked = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile int target;

    Writers(int trial, int leader) {
      this.trial = trial;
      this.target = leader;
    }

    void start() {
      for (int w = 0; w < WRITERS; w++) {
        long key = trial * 1000L + w;
        acked.put(key, ConcurrentHashMap.newKeySet());
        Thread t = new Thread(() -> write(key), "crash-writer-" + key);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    private void write(long key) {
      long seq = 0;
      while (running.get()) {
        seq++;
        try (Session s = cluster.probe().session(target)) {
          // Every 25th write also creates a new label: token creations get killed around too.
          String label = seq % 25 == 0 ? ":L" + key + "_" + seq : "";
          s.run("CREATE (:Crash" + label + " {key: $key, seq: $seq})",
              Values.parameters("key", key, "seq", seq)).consume();
          acked.get(key).add(seq);
          count.incrementAndGet();
        } catch (RuntimeException e) {
          if (!running.get()) {
            return;
          }
          cluster.findLeader().ifPresent(m -> target = m);
        }
      }
    }

    int count() {
      return count.get();
    }

    void stop() {
      running.set(false);
      for (Thread t : threads) {
        try {
          t.join(TimeUnit.SECONDS.toMillis(120));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    Stream<long[]> ackedPairs() {
      return acked.entrySet().stream()
          .flatMap(e -> e.getValue().stream().map(seq -> new long[] {e.getKey(), seq}));
    }
  }
}
