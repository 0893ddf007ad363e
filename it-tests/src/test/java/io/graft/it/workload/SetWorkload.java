package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.driver.Bookmark;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.exceptions.Neo4jException;

/**
 * The set workload (docs/TESTING.md Tier 5): clients insert unique values; at the end every
 * acknowledged insert is present on every member, every insert that DEFINITELY failed is absent
 * on every member, nothing is present that was never attempted, and no value is present twice.
 * Meanwhile one reader per member, pinned to that member with a direct Bolt connection, checks
 * what read-committed does promise: one reader on one member never sees a value disappear, never
 * sees a value nobody has tried to insert yet, and never sees one whose insert definitely failed.
 *
 * <p>Each insert is ONE explicit transaction, never retried by the driver, so its outcome is
 * known precisely (Jepsen's {@code :ok} / {@code :fail} / {@code :info}):
 * <ul>
 *   <li>acknowledged: COMMIT returned;</li>
 *   <li>definitely failed: the transaction failed before COMMIT was sent (graft replicates a
 *       transaction only at commit: nothing was proposed), or COMMIT was refused with
 *       {@code Neo.ClientError.Cluster.NotALeader}. graft's commit process raises NotALeader only
 *       when nothing can take effect: its write gate is closed or the transaction predates the
 *       lease (both before anything is proposed), Raft refused the proposal before appending it,
 *       or the entry was rejected at apply under a stale lease, identically on every member
 *       (tx-log-bridge {@code RaftTransactionCommitProcess}, {@code LeaseFencing});</li>
 *   <li>unknown: anything else during COMMIT (ReplicationFailure "outcome UNKNOWN", a timeout, a
 *       lost connection, a {@code neo4j://} driver's SessionExpired): it may or may not have
 *       committed, so it is checked neither way.</li>
 * </ul>
 * A value is never inserted twice, so the end state says exactly which outcome each insert had;
 * a value present twice would mean the store applied one transaction twice.
 *
 * <p>{@link Mutation}s are deliberately broken clients used to prove the checks can fail.
 */
public final class SetWorkload {

  /** A deliberately broken client, or {@link #NONE}. */
  public enum Mutation {
    NONE,
    /** Deletes some acknowledged values afterwards (in a transaction of its own): a lost write. */
    DROP_ACKNOWLEDGED,
    /** Reports some committed inserts as definitely failed: a lying failure path. */
    REPORT_COMMITTED_AS_FAILED
  }

  /**
   * Shape of a run. {@code readPause}: how long each pinned reader waits between its reads (each
   * read returns the whole set, so a long run paces them).
   */
  public record Options(int writers, long maxOps, Mutation mutation, Duration readPause) {

    public static Options defaults() {
      return new Options(3, 3_000, Mutation.NONE, Duration.ZERO);
    }

    public Options broken(Mutation broken) {
      return new Options(writers, maxOps, broken, readPause);
    }

    public Options withReadPause(Duration pause) {
      return new Options(writers, maxOps, mutation, pause);
    }
  }

  /** One history event. */
  public record Event(int client, String kind, long value, String outcome, int seen,
      long invokeNanos, long returnNanos) {
  }

  private static final String ALL = "MATCH (e:SetElement) RETURN collect(e.value) AS vs";
  private static final String INSERT = "MERGE (:SetElement {value: $v})";
  private static final String NOT_A_LEADER = "Neo.ClientError.Cluster.NotALeader";
  /** Back-off after a failed insert, so clients do not spin while no leader is known. */
  private static final Duration BACK_OFF = Duration.ofMillis(50);
  /** One in this many inserts is hit by a {@link Mutation}. */
  private static final int MUTATION_ODDS = 10;

  /** What the clients know, shared by all of them. */
  private static final class Outcomes {
    final Set<Long> attempted = ConcurrentHashMap.newKeySet();
    final Set<Long> acked = ConcurrentHashMap.newKeySet();
    final Set<Long> failed = ConcurrentHashMap.newKeySet();
    final Set<Long> unknown = ConcurrentHashMap.newKeySet();
  }

  private final Options options;

  public SetWorkload(Options options) {
    this.options = options;
  }

  public WorkloadResult run(Cluster cluster, Duration duration, long seed) throws Exception {
    System.out.println("[set] seed=" + seed + " options=" + options + " on " + cluster);
    RunState run = new RunState("set", seed);
    Outcomes outcomes = new Outcomes();
    List<URI> members = cluster.memberBoltUris();
    List<Driver> pinnedDrivers = new ArrayList<>();
    try (Driver router = Clients.driver(cluster.routingUri(), Duration.ofSeconds(15))) {
      try (Session s = Clients.writeSession(router)) {
        s.executeWrite(tx -> tx.run("MATCH (e:SetElement) DETACH DELETE e").consume());
        run.clients.remember(s);
      }
      long[] seq = new long[options.writers()];
      try (ClientGroup group = new ClientGroup("set", options.writers() + members.size(),
          duration, options.maxOps(), run, cluster.nemesis());
          NemesisSchedule nemesis = new NemesisSchedule(cluster, duration.dividedBy(4), seed,
              run.history, run.problems)) {
        for (int c = 0; c < options.writers(); c++) {
          group.start(c, (id, rnd) -> insert(router, group, run, id, ++seq[id], rnd, outcomes));
        }
        for (int m = 0; m < members.size(); m++) {
          Driver pinned = Clients.driver(members.get(m), Duration.ofSeconds(5));
          pinnedDrivers.add(pinned);
          Set<Long> previous = new HashSet<>();
          group.start(options.writers() + m, (id, rnd) -> {
            readPinned(pinned, run, id, previous, outcomes);
            if (!options.readPause().isZero()) {
              group.backOff(options.readPause());
            }
            return true;
          });
        }
        group.awaitAll(Duration.ofSeconds(60));
      }
    } finally {
      pinnedDrivers.forEach(Driver::close);
    }
    Runs.heal(cluster, run.problems);
    Map<String, Set<Long>> contents = new HashMap<>();
    for (URI member : members) {
      contents.put(member.toString(), finalCheck(member, run, outcomes));
    }
    run.problems.check(new HashSet<>(contents.values()).size() > 1,
        "members hold different sets (sizes " + sizes(contents) + ")");
    run.stats.put("acked", outcomes.acked.size());
    run.stats.put("attempted", outcomes.attempted.size());
    run.stats.put("definitelyFailed", outcomes.failed.size());
    run.stats.put("unknownOutcome", outcomes.unknown.size());
    return run.result("set", Runs.compareDigests(cluster, run.problems));
  }

  /** One insert of a fresh value: one explicit transaction, its outcome classified. */
  private boolean insert(Driver router, ClientGroup group, RunState run, int client, long seq,
      Random rnd, Outcomes outcomes) throws InterruptedException {
    long value = (client + 1) * 1_000_000_000L + seq;
    outcomes.attempted.add(value); // before the call: a reader may see it as soon as it is sent
    boolean mutate = options.mutation() != Mutation.NONE && rnd.nextInt(MUTATION_ODDS) == 0;
    long inv = System.nanoTime();
    String outcome;
    Session s = Clients.writeSession(router);
    try {
      outcome = attempt(s, router, run, outcomes, value, mutate);
    } finally {
      closeQuietly(s, run);
    }
    run.history.add(new Event(client, "insert", value, outcome, -1, inv, System.nanoTime()));
    if (outcome.startsWith("failed") || outcome.startsWith("unknown")) {
      group.backOff(BACK_OFF);
    }
    return true;
  }

  private String attempt(Session s, Driver router, RunState run, Outcomes outcomes, long value,
      boolean mutate) {
    Transaction tx;
    try {
      tx = s.beginTransaction();
      tx.run(INSERT, Map.of("v", value)).consume();
    } catch (Exception beforeCommit) {
      return failed(run, outcomes, value, "failedBeforeCommit", beforeCommit);
    }
    try {
      tx.commit();
    } catch (Neo4jException e) {
      return NOT_A_LEADER.equals(e.code())
          ? failed(run, outcomes, value, "notALeaderAtCommit", e)
          : unknown(run, outcomes, value, e);
    } catch (Exception e) {
      return unknown(run, outcomes, value, e);
    }
    run.clients.remember(s);
    return acked(run, outcomes, value, mutate, router);
  }

  private String acked(RunState run, Outcomes outcomes, long value, boolean mutate,
      Driver router) {
    run.ok.incrementAndGet();
    run.writesOk.incrementAndGet();
    if (mutate && options.mutation() == Mutation.REPORT_COMMITTED_AS_FAILED) {
      outcomes.failed.add(value);
      run.count("mutatedReportedAsFailed");
      return "reported failed (mutation)";
    }
    outcomes.acked.add(value);
    if (mutate && options.mutation() == Mutation.DROP_ACKNOWLEDGED) {
      try (Session s = Clients.writeSession(router)) {
        s.executeWrite(tx -> tx.run("MATCH (e:SetElement {value: $v}) DELETE e",
            Map.of("v", value)).consume());
        run.clients.remember(s);
        run.count("mutatedDropped");
      } catch (Exception e) {
        run.count("mutationFailed");
      }
    }
    return "ok";
  }

  private static String failed(RunState run, Outcomes outcomes, long value, String stat,
      Exception e) {
    if (OpOutcome.isWorkloadBug(e)) {
      run.problems.add("workload statement failed: " + OpOutcome.describe(e));
    }
    outcomes.failed.add(value);
    run.failed.incrementAndGet();
    run.count(stat);
    return "failed: " + OpOutcome.describe(e);
  }

  private static String unknown(RunState run, Outcomes outcomes, long value, Exception e) {
    outcomes.unknown.add(value);
    return run.unknown(e);
  }

  private boolean readPinned(Driver pinned, RunState run, int client, Set<Long> previous,
      Outcomes outcomes) {
    long inv = System.nanoTime();
    try (Session s = Clients.readSession(pinned, Set.of())) {
      List<Long> values = s.executeRead(tx -> tx.run(ALL).single().get("vs").asList(
          v -> v.asLong()));
      Set<Long> seen = new HashSet<>(values);
      run.ok.incrementAndGet();
      Set<Long> lost = new HashSet<>(previous);
      lost.removeAll(seen);
      run.problems.check(!lost.isEmpty(), "reader " + client + " saw values disappear: "
          + first(lost));
      Set<Long> phantom = new HashSet<>(seen);
      phantom.removeAll(outcomes.attempted);
      run.problems.check(!phantom.isEmpty(), "reader " + client + " saw never-attempted values: "
          + first(phantom));
      Set<Long> failed = new HashSet<>(seen);
      failed.retainAll(outcomes.failed);
      run.problems.check(!failed.isEmpty(), "reader " + client + " saw values whose insert"
          + " definitely failed: " + first(failed));
      previous.addAll(seen);
      run.history.add(new Event(client, "read", -1, "ok", seen.size(), inv, System.nanoTime()));
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }

  private Set<Long> finalCheck(URI member, RunState run, Outcomes outcomes) {
    Set<Bookmark> bookmarks = run.clients.bookmarks();
    List<Long> values;
    try (Driver d = Clients.driver(member, Duration.ofSeconds(30));
        Session s = Clients.readSession(d, bookmarks)) {
      values = s.executeRead(tx -> tx.run(ALL).single().get("vs").asList(v -> v.asLong()));
    } catch (Exception e) {
      run.problems.add("final read on " + member + " failed: " + OpOutcome.describe(e));
      return Set.of();
    }
    Set<Long> present = new HashSet<>(values);
    String where = "at the end on " + member;
    run.problems.check(present.size() != values.size(), where + " "
        + (values.size() - present.size()) + " values are present twice");
    Set<Long> missing = new HashSet<>(outcomes.acked);
    missing.removeAll(present);
    run.problems.check(!missing.isEmpty(), where + " " + missing.size()
        + " acknowledged inserts are missing, e.g. " + first(missing));
    Set<Long> failedButPresent = new HashSet<>(outcomes.failed);
    failedButPresent.retainAll(present);
    run.problems.check(!failedButPresent.isEmpty(), where + " " + failedButPresent.size()
        + " inserts that definitely failed are present, e.g. " + first(failedButPresent));
    Set<Long> phantom = new HashSet<>(present);
    phantom.removeAll(outcomes.attempted);
    run.problems.check(!phantom.isEmpty(), where + " " + phantom.size()
        + " values were never attempted, e.g. " + first(phantom));
    return present;
  }

  /** Closing never changes an outcome already decided (it rolls back an uncommitted tx). */
  private static void closeQuietly(Session s, RunState run) {
    try {
      s.close();
    } catch (Exception e) {
      run.count("sessionCloseErrors");
    }
  }

  private static Object first(Set<Long> s) {
    return s.stream().sorted().limit(5).toList();
  }

  private static Map<String, Integer> sizes(Map<String, Set<Long>> contents) {
    Map<String, Integer> out = new HashMap<>();
    contents.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }
}
