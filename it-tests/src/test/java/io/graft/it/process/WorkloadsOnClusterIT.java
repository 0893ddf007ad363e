package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.graft.cluster.LocalCluster;
import io.graft.it.ItClusters;
import io.graft.it.check.LinearizabilityResult;
import io.graft.it.workload.BankWorkload;
import io.graft.it.workload.PlatinumBatchWorkload;
import io.graft.it.workload.RegisterWorkload;
import io.graft.it.workload.SetWorkload;
import io.graft.it.workload.Soak;
import io.graft.it.workload.WorkloadResult;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Tier 5 on real processes: the bank, set, register and (small) platinum workloads against ONE
 * 3-server graft cluster under faults from {@link ProcessNemesis}: kill -9, SIGSTOP/SIGCONT of
 * the leader or of a follower, and partitions of the Raft links through the fault proxy (leader
 * isolated, a follower alone in a majority/minority split, one leader link cut), see
 * {@link FaultKind}. After the run the cluster is healed, every member must report the same
 * applied index, each workload's own verdict must hold, and {@code raft.digest()} must be
 * identical on all members. A fault aimed at the leader must end in an election among the
 * others, and every fault is checked to have taken effect ({@link FaultEvidence}).
 *
 * <p>The CI form (the default) runs the four workloads AT ONCE ({@link Soak#run}) under one
 * schedule of six faults, one of each kind in an order the seed rotates, a strike every
 * {@code -Dworkload.strike.seconds} (4 s: a fault held ~4 s, then ~4 s healed before the next):
 * every workload sees every kind, in about half the time four runs one after the other took.
 * The workloads run until the whole schedule has been injected and undone, then for a tail of
 * load on the healed cluster: never for a fixed number of operations, which a fast workload once
 * finished before its fault struck.
 *
 * <p>One workload at a time ({@code -Dworkload.each=true}, or any {@code -Dworkload.seconds}):
 * each runs at least {@code -Dworkload.seconds} (20 s) and until its share of the six kinds
 * (2, 2, 1, 1; {@link FaultPlan}) was injected and undone. Long form (above 60 s): a new fault at
 * every other strike (every 30 s), cycling through every kind: {@code mvn -B -pl it-tests -am
 * verify -Dtest=WorkloadsOnClusterIT -Dworkload.seconds=600
 * -Dsurefire.failIfNoSpecifiedTests=false}. Replay a run with {@code -Dworkload.seed=N} (every
 * summary names its seed and fault plan); force a kind with {@code -Dworkload.fault=pause-leader}
 * (or {@code mixed}, the default schedule). {@link SoakIT} is the 30-minute form of the combined
 * run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkloadsOnClusterIT {
  private static final Duration RUN = Duration.ofSeconds(Long.getLong("workload.seconds", 20));
  /** How often the combined run's schedule strikes (injects the next fault or undoes it). */
  private static final Duration STRIKE_EVERY =
      Duration.ofSeconds(Long.getLong("workload.strike.seconds", 4));
  private static final long SEED = Long.getLong("workload.seed", System.nanoTime());
  /** Per-test bound: the run, plus a leader restart, heal, convergence and the final checks. */
  private static final Duration BOUND = RUN.plusMinutes(4);
  private static LocalCluster local;
  private static GraftProcessCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    local = LocalCluster.start(ItClusters.options("workloads-cluster", 3).withFaultProxy(true));
    cluster = new GraftProcessCluster(local);
  }

  @BeforeEach
  void needsALeader() {
    local.awaitLeader();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    if (local != null) {
      local.close();
    }
  }

  /**
   * The class's seed, after arming the nemesis with workload {@code index}'s share of the fault
   * schedule (printed, so a failure names both). One seed for the class: it deals the six fault
   * kinds to the four workloads, so one run of the class covers every kind.
   */
  private static long seedAndPlan(int index, String workload) {
    FaultPlan plan = FaultPlan.forWorkload(index, SEED, RUN, System.getProperty("workload.fault"));
    cluster.resetFaults(plan);
    System.out.println("[workloads-on-cluster] " + workload + ": seed=" + SEED + " faults: " + plan
        + " (replay: -Dworkload.seed=" + SEED + " -Dworkload.seconds=" + RUN.toSeconds() + ")");
    return SEED;
  }

  /** Long runs ({@code -Dworkload.seconds} above 20) raise the op caps in proportion. */
  private static long scale() {
    return Math.max(1, RUN.toSeconds() / 20);
  }

  private static BankWorkload.Options bankOptions() {
    BankWorkload.Options d = BankWorkload.Options.defaults();
    return new BankWorkload.Options(d.accounts(), d.initialBalance(), d.transferClients(),
        d.lockedReaders(), d.plainReaders(), d.maxOps() * scale(), d.style(), d.crashRate());
  }

  private static SetWorkload.Options setOptions() {
    SetWorkload.Options d = SetWorkload.Options.defaults();
    return new SetWorkload.Options(d.writers(), d.maxOps() * scale(), d.mutation(),
        d.readPause());
  }

  /**
   * The register's op budget only sizes the keys it prepares (fresh keys every
   * {@code opsPerKey}): under a fault plan the run ends when the faults are healed, not when the
   * budget is spent, so keys are prepared for far more operations than a run makes.
   */
  private static RegisterWorkload.Options registerOptions() {
    RegisterWorkload.Options d = RegisterWorkload.Options.defaults();
    return new RegisterWorkload.Options(d.keys(), d.opsPerKey(), d.clients(),
        d.maxOps() * 50 * scale(),
        d.readsOnLeader(), d.checkBudget(), d.brokenCachedReads());
  }

  /** Runs a workload within {@link #BOUND}, which scales with {@code -Dworkload.seconds}. */
  private static WorkloadResult bounded(ThrowingSupplier<WorkloadResult> run) {
    return assertTimeoutPreemptively(BOUND, run, () -> "workload did not finish within " + BOUND
        + "; fault schedule: " + cluster.schedule());
  }

  /**
   * Checks shared by every workload: its verdict, every planned fault injected and undone while
   * the workload ran, load on the healed cluster afterwards, an election after each fault aimed at
   * the leader, identical digests.
   */
  private static void assertHealthy(WorkloadResult r) {
    String context = r.summary() + "\nfault schedule: " + cluster.schedule();
    System.out.println("[workloads-on-cluster] " + context);
    assertThat(r.valid()).as(context).isTrue();
    assertThat(r.ok()).as(context).isGreaterThan(5);
    assertThat(r.stats()).as("load after the last fault was undone; " + context)
        .containsKey("writesAfterHeal");
    assertFaults(context);
    assertThat(r.digests()).as(context).hasSize(3);
    assertThat(new HashSet<>(r.digests().values())).as(context).hasSize(1);
  }

  /**
   * Every planned fault injected, seen to take effect and undone while the workloads ran, and an
   * election among the others after each fault aimed at the leader (and after no other).
   */
  private static void assertFaults(String context) {
    List<String> schedule = cluster.schedule();
    List<String> elections = cluster.faults().elections();
    assertThat(cluster.faults().injectedKinds()).as(context)
        .isEqualTo(cluster.faults().plan().kinds());
    assertThat(cluster.faults().unverified()).as("faults whose effect was not seen; " + context)
        .isEmpty();
    assertThat(cluster.faults().finished()).as("every planned fault undone; " + context).isTrue();
    assertThat(schedule).as(context).anyMatch(s -> s.contains("inject "));
    assertThat(schedule).as(context).anyMatch(s -> s.contains("undo "));
    assertThat(elections).as(context).noneMatch(e -> e.startsWith("NO new leader"));
    long leaderFaults = cluster.faults().injectedKinds().stream()
        .filter(FaultKind::targetsLeader).count();
    assertThat(elections).as(context).hasSize((int) leaderFaults);
  }

  /** One workload at a time instead of the combined run: asked for, or a run length given. */
  static boolean eachWorkload() {
    return Boolean.getBoolean("workload.each") || System.getProperty("workload.seconds") != null;
  }

  /**
   * The CI form: bank, set, register and platinum at once under six faults, one of each kind
   * (or six of the {@code -Dworkload.fault} kind), each checked as in {@link #assertHealthy}.
   */
  @Test
  @Order(0)
  @DisabledIf("eachWorkload")
  void fourWorkloadsAtOnceKeepTheirInvariantsUnderEveryFaultKind() throws Exception {
    FaultPlan plan = FaultPlan.cycling(SEED, FaultKind.values().length,
        System.getProperty("workload.fault"));
    cluster.resetFaults(plan);
    System.out.println("[workloads-on-cluster] four at once: seed=" + SEED + " faults: " + plan
        + ", a strike every " + STRIKE_EVERY.toSeconds() + " s (replay: -Dworkload.seed=" + SEED
        + ")");
    // Every fault is injected and undone by strikes: 12 strikes, plus restarts and elections.
    Duration bound = STRIKE_EVERY.multipliedBy(2L * plan.maxFaults()).plusMinutes(5);
    List<WorkloadResult> results = assertTimeoutPreemptively(bound,
        () -> Soak.run(cluster, STRIKE_EVERY, SEED, STRIKE_EVERY, () -> { }, () -> "faults: "
            + cluster.faults().injectedKinds(), System.out::println),
        () -> "four workloads did not finish within " + bound + "; fault schedule: "
            + cluster.schedule());
    List<String> schedule = cluster.schedule();
    String context = "seed=" + SEED + "\nfault schedule: " + schedule;
    Set<String> digests = new HashSet<>();
    for (WorkloadResult r : results) {
      System.out.println("[workloads-on-cluster] " + r.summary());
      assertThat(r.valid()).as(r.summary() + "\n" + context).isTrue();
      assertThat(r.ok()).as(r.workload() + " made progress; " + context).isGreaterThan(5);
      assertThat(r.digests()).as(r.workload() + "; " + context).hasSize(3);
      digests.addAll(r.digests().values());
    }
    assertThat((Integer) results.get(1).stats().get("acked")).as(results.get(1).summary())
        .isGreaterThan(5);
    assertThat(results.get(2).stats()).as(results.get(2).summary())
        .containsEntry("verdict", LinearizabilityResult.Verdict.LINEARIZABLE);
    assertThat(results).as("load after the last fault was undone; " + context)
        .allMatch(r -> r.stats().containsKey("writesAfterHeal"));
    assertFaults(context);
    assertThat(digests).as("one digest on every member, for every workload's final look; "
        + context).hasSize(1);
  }

  @Test
  @Order(1)
  @EnabledIf("eachWorkload")
  void bankKeepsItsTotalUnderFaults() throws Exception {
    long seed = seedAndPlan(0, "bank");
    WorkloadResult r = bounded(() -> new BankWorkload(bankOptions()).run(cluster, RUN, seed));
    assertHealthy(r);
  }

  @Test
  @Order(2)
  @EnabledIf("eachWorkload")
  void setKeepsEveryAcknowledgedInsertUnderFaults() throws Exception {
    long seed = seedAndPlan(1, "set");
    WorkloadResult r = bounded(() -> new SetWorkload(setOptions()).run(cluster, RUN, seed));
    assertHealthy(r);
    assertThat((Integer) r.stats().get("acked")).as(r.summary()).isGreaterThan(5);
  }

  @Test
  @Order(3)
  @EnabledIf("eachWorkload")
  void registerIsLinearizableUnderFaults() throws Exception {
    long seed = seedAndPlan(2, "register");
    WorkloadResult r = bounded(() -> new RegisterWorkload(registerOptions())
        .run(cluster, RUN, seed));
    assertHealthy(r);
    assertThat(r.stats()).as(r.summary())
        .containsEntry("verdict", LinearizabilityResult.Verdict.LINEARIZABLE);
  }

  @Test
  @Order(4)
  @EnabledIf("eachWorkload")
  void platinumBatchIsAllOrNothingUnderFaults() throws Exception {
    long seed = seedAndPlan(3, "platinum");
    // -Dplatinum.customers=197563 runs the seed's exercise at full size (minutes; long form).
    int customers = Integer.getInteger("platinum.customers", 2_000);
    WorkloadResult r = bounded(() -> new PlatinumBatchWorkload(
        PlatinumBatchWorkload.Options.scaled(customers)).run(cluster, RUN, seed));
    assertHealthy(r);
  }
}
