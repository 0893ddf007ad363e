package io.graft.it.workload;

import io.graft.it.check.LinearizabilityChecker;
import io.graft.it.check.LinearizabilityResult;
import io.graft.it.check.RegisterOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.Value;

/**
 * The register workload (docs/TESTING.md Tier 5): a few single-node registers, read, written and
 * compare-and-set by several clients; the history is checked for linearizability with
 * {@link LinearizabilityChecker}. A checker TIMEOUT is a failure.
 *
 * <p>Client rules that keep the history honest:
 * <ul>
 *   <li>the driver's retries are off: a retried CAS could apply twice and report only the second
 *       attempt's answer, which would make a correct store look wrong;</li>
 *   <li>writes and CAS run in explicit transactions: a failure before COMMIT is a definite
 *       failure and is dropped; a failure of COMMIT is recorded as pending (it may have
 *       committed); a failed read constrains nothing and is dropped;</li>
 *   <li>a CAS write-locks the node before comparing, since a read-committed comparison followed
 *       by a SET would lose updates on any Neo4j;</li>
 *   <li>every written value is unique, and clients move on to fresh registers every
 *       {@code opsPerKey} operations per register (Jepsen's independent keys): an operation left
 *       pending stays concurrent with everything after it on its key, and the search grows
 *       exponentially with such operations, so per-key histories are kept short;</li>
 *   <li>reads go to the leader by default ({@code readsOnLeader}); a follower read is not
 *       linearizable in any Raft system without a read-index or lease protocol (thesis §6.4).</li>
 * </ul>
 */
public final class RegisterWorkload {

  /** Shape of a run. */
  public record Options(int keys, int opsPerKey, int clients, long maxOps,
      boolean readsOnLeader, Duration checkBudget, boolean brokenCachedReads) {

    public static Options defaults() {
      return new Options(3, 120, 4, 1_200, true, Duration.ofSeconds(60), false);
    }

    /**
     * A deliberately broken client: most reads answer from its own cache of the last value it
     * saw instead of asking the database, the way a careless read cache would; must be caught.
     */
    public Options withBrokenCachedReads() {
      return new Options(keys, opsPerKey, clients, maxOps, readsOnLeader, checkBudget, true);
    }
  }

  private static final String READ = "MATCH (r:Register {key: $key}) RETURN r.value AS v";
  private static final String WRITE = "MATCH (r:Register {key: $key}) SET r.value = $value";
  private static final String CAS = "MATCH (r:Register {key: $key}) SET r._lock = true "
      + "WITH r WHERE r.value = $expected SET r.value = $value RETURN count(r) AS swapped";

  private final Options options;
  private final AtomicLong started = new AtomicLong();

  public RegisterWorkload(Options options) {
    this.options = options;
  }

  public WorkloadResult run(Cluster cluster, Duration duration, long seed) throws Exception {
    System.out.println("[register] seed=" + seed + " options=" + options + " on " + cluster);
    RunState run = new RunState("register", seed);
    started.set(0);
    List<RegisterOp> ops = new ArrayList<>();
    Map<String, Long> initial = new HashMap<>();
    try (Driver router = Clients.driver(cluster.routingUri(), Duration.ZERO)) {
      setup(router, run, initial);
      long[] seq = new long[options.clients()];
      List<Map<String, Long>> lastSeen = new ArrayList<>();
      for (int c = 0; c < options.clients(); c++) {
        lastSeen.add(new HashMap<>(initial));
      }
      try (ClientGroup group = new ClientGroup("register", options.clients(), duration,
          options.maxOps(), run, cluster.nemesis());
          NemesisSchedule nemesis = new NemesisSchedule(cluster, duration.dividedBy(4), seed,
              run.history, run.problems)) {
        for (int c = 0; c < options.clients(); c++) {
          group.start(c, (id, rnd) -> {
            RegisterOp op = step(router, run, id, rnd, ++seq[id], lastSeen.get(id));
            if (op != null) {
              synchronized (ops) {
                ops.add(op);
              }
              run.history.add(op);
            }
            return true;
          });
        }
        group.awaitAll(Duration.ofSeconds(60));
      }
    }
    Runs.heal(cluster, run.problems);
    List<RegisterOp> history;
    synchronized (ops) {
      history = List.copyOf(ops);
    }
    LinearizabilityResult verdict =
        new LinearizabilityChecker(options.checkBudget(), initial).check(history);
    run.stats.put("verdict", verdict.verdict());
    run.stats.put("checkMillis", verdict.elapsed().toMillis());
    run.stats.put("pending", history.stream().filter(RegisterOp::pending).count());
    run.problems.check(!verdict.ok(), "register history: " + verdict.describe());
    return run.result("register", Runs.compareDigests(cluster, run.problems));
  }

  private int generations() {
    return (int) (options.maxOps() / ((long) options.opsPerKey() * options.keys())) + 1;
  }

  private static String key(int generation, int k) {
    return "g" + generation + "-r" + k;
  }

  private void setup(Driver router, RunState run, Map<String, Long> initial) {
    List<String> keys = new ArrayList<>();
    for (int g = 0; g < generations(); g++) {
      for (int k = 0; k < options.keys(); k++) {
        keys.add(key(g, k));
        initial.put(key(g, k), 0L);
      }
    }
    try (Session s = Clients.writeSession(router)) {
      s.executeWrite(tx -> tx.run("MATCH (r:Register) DETACH DELETE r").consume());
      s.executeWrite(tx -> tx.run("UNWIND $keys AS k CREATE (:Register {key: k, value: 0})",
          Map.of("keys", keys)).consume());
      run.clients.remember(s);
    }
  }

  /** Performs one random operation; returns its history record (null for a failed read). */
  private RegisterOp step(Driver router, RunState run, int client, Random rnd, long seq,
      Map<String, Long> lastSeen) {
    int generation = (int) Math.min(generations() - 1,
        started.getAndIncrement() / ((long) options.opsPerKey() * options.keys()));
    String key = key(generation, rnd.nextInt(options.keys()));
    long unique = (client + 1) * 1_000_000_000L + seq;
    int dice = rnd.nextInt(10);
    long inv = System.nanoTime();
    if (dice < 4 && options.brokenCachedReads() && rnd.nextInt(4) > 0) {
      return RegisterOp.read(client, key, lastSeen.get(key), inv, System.nanoTime());
    }
    if (dice < 4) {
      try (Session s = options.readsOnLeader() ? Clients.writeSession(router)
          : Clients.readSession(router, Set.of())) {
        Value v = options.readsOnLeader()
            ? s.executeWrite(tx -> tx.run(READ, Map.of("key", key)).single().get("v"))
            : s.executeRead(tx -> tx.run(READ, Map.of("key", key)).single().get("v"));
        Long observed = v.isNull() ? null : v.asLong();
        run.ok.incrementAndGet();
        lastSeen.put(key, observed);
        return RegisterOp.read(client, key, observed, inv, System.nanoTime());
      } catch (Exception e) {
        run.unknown(e);
        return null;
      }
    }
    if (dice < 7) {
      return writeOrCas(router, run, WRITE, Map.of("key", key, "value", unique), null,
          swapped -> RegisterOp.write(client, key, unique, inv, System.nanoTime()),
          () -> RegisterOp.pendingWrite(client, key, unique, inv));
    }
    Long expected = lastSeen.get(key);
    Map<String, Object> params = new HashMap<>();
    params.put("key", key);
    params.put("expected", expected);
    params.put("value", unique);
    return writeOrCas(router, run, CAS, params, "swapped",
        swapped -> RegisterOp.cas(client, key, expected, unique, swapped, inv, System.nanoTime()),
        () -> RegisterOp.pendingCas(client, key, expected, unique, inv));
  }

  /**
   * Runs one write in an explicit transaction and classifies its outcome the way Jepsen does
   * ({@code :ok} / {@code :fail} / {@code :info}). The statement runs and its result is consumed
   * before COMMIT is sent, and graft replicates a transaction only at commit, so a failure before
   * COMMIT (no route, NotALeader from the write guard, connection refused) is a definite failure:
   * the operation is dropped from the history. Only a failure of COMMIT itself leaves the outcome
   * unknown, and only then is the operation recorded as pending. Keeping pending operations to the
   * few that were really in flight keeps the checker's search small.
   */
  private static RegisterOp writeOrCas(Driver router, RunState run, String cypher,
      Map<String, Object> params, String swappedColumn, Function<Boolean, RegisterOp> ok,
      Supplier<RegisterOp> pending) {
    Session s = Clients.writeSession(router);
    try {
      Transaction tx;
      boolean swapped;
      try {
        tx = s.beginTransaction();
        Result result = tx.run(cypher, params);
        swapped = swappedColumn == null || result.single().get(swappedColumn).asLong() == 1;
        result.consume();
      } catch (Exception beforeCommit) {
        run.failed.incrementAndGet();
        run.count("failedBeforeCommit");
        if (OpOutcome.isWorkloadBug(beforeCommit)) {
          run.problems.add("workload statement failed: " + OpOutcome.describe(beforeCommit));
        }
        return null;
      }
      try {
        tx.commit();
      } catch (Exception duringCommit) {
        run.unknown(duringCommit);
        return pending.get();
      }
      run.ok.incrementAndGet();
      run.writesOk.incrementAndGet();
      return ok.apply(swapped);
    } finally {
      closeQuietly(s, run);
    }
  }

  /** Closing never changes an outcome already decided (it rolls back an uncommitted tx). */
  private static void closeQuietly(Session s, RunState run) {
    try {
      s.close();
    } catch (Exception e) {
      run.count("sessionCloseErrors");
    }
  }
}
