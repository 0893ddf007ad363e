package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.graft.cluster.LocalCluster;
import io.graft.it.check.LinearizabilityResult;
import io.graft.it.workload.BankWorkload;
import io.graft.it.workload.PlatinumBatchWorkload;
import io.graft.it.workload.RegisterWorkload;
import io.graft.it.workload.SetWorkload;
import io.graft.it.workload.WorkloadResult;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Tier 5 on real processes: the bank, set, register and (small) platinum workloads against ONE
 * 3-server graft cluster, each run under faults from {@link ProcessNemesis}: kill -9, SIGSTOP/
 * SIGCONT of the leader or of a follower, and partitions of the Raft links through the fault
 * proxy (leader isolated, a follower alone in a majority/minority split, one leader link cut),
 * see {@link FaultKind}. After each run the cluster is healed, every member must report the same
 * applied index, the workload's own verdict must hold, and {@code raft.digest()} must be
 * identical on all members. A fault aimed at the leader must end in an election among the others.
 *
 * <p>Each workload runs at least {@code -Dworkload.seconds} and in any case until every fault of
 * its plan was injected and undone, then for a tail of load on the healed cluster: never for a
 * fixed number of operations, which a fast workload once finished before its fault struck.
 *
 * <p>Short CI form by default ({@code -Dworkload.seconds=20}): the six fault kinds dealt to the
 * four workloads (2, 2, 1, 1; {@link FaultPlan}), so every run of the class covers every kind,
 * and each fault is checked to have taken effect ({@link FaultEvidence}). Long form (above 60 s):
 * a new fault at every other strike (every 30 s), cycling through every kind: {@code mvn -B -pl
 * it-tests -am verify -Dtest=WorkloadsOnClusterIT -Dworkload.seconds=600
 * -Dsurefire.failIfNoSpecifiedTests=false}. Replay a run with {@code -Dworkload.seed=N} (every
 * summary names its seed and fault plan); force a kind with {@code -Dworkload.fault=pause-leader}
 * (or {@code mixed}, the default schedule).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkloadsOnClusterIT {
  private static final Duration RUN = Duration.ofSeconds(Long.getLong("workload.seconds", 20));
  private static final long SEED = Long.getLong("workload.seed", System.nanoTime());
  /** Per-test bound: the run, plus a leader restart, heal, convergence and the final checks. */
  private static final Duration BOUND = RUN.plusMinutes(4);
  private static LocalCluster local;
  private static GraftProcessCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    local = LocalCluster.start(ProcessFixtures.options("workloads-cluster", 3, true, true));
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
    List<String> schedule = cluster.schedule();
    List<String> elections = cluster.faults().elections();
    String context = r.summary() + "\nfault schedule: " + schedule;
    System.out.println("[workloads-on-cluster] " + context);
    assertThat(r.valid()).as(context).isTrue();
    assertThat(r.ok()).as(context).isGreaterThan(5);
    assertThat(cluster.faults().injectedKinds()).as(context)
        .isEqualTo(cluster.faults().plan().kinds());
    assertThat(cluster.faults().unverified()).as("faults whose effect was not seen; " + context)
        .isEmpty();
    assertThat(cluster.faults().finished()).as("every planned fault undone; " + context).isTrue();
    assertThat(r.stats()).as("load after the last fault was undone; " + context)
        .containsKey("writesAfterHeal");
    assertThat(schedule).as(context).anyMatch(s -> s.contains("inject "));
    assertThat(schedule).as(context).anyMatch(s -> s.contains("undo "));
    assertThat(elections).as(context).noneMatch(e -> e.startsWith("NO new leader"));
    long leaderFaults = cluster.faults().injectedKinds().stream()
        .filter(FaultKind::targetsLeader).count();
    assertThat(elections).as(context).hasSize((int) leaderFaults);
    assertThat(r.digests()).as(context).hasSize(3);
    assertThat(new HashSet<>(r.digests().values())).as(context).hasSize(1);
  }

  @Test
  @Order(1)
  void bankKeepsItsTotalUnderFaults() throws Exception {
    long seed = seedAndPlan(0, "bank");
    WorkloadResult r = bounded(() -> new BankWorkload(bankOptions()).run(cluster, RUN, seed));
    assertHealthy(r);
  }

  @Test
  @Order(2)
  void setKeepsEveryAcknowledgedInsertUnderFaults() throws Exception {
    long seed = seedAndPlan(1, "set");
    WorkloadResult r = bounded(() -> new SetWorkload(setOptions()).run(cluster, RUN, seed));
    assertHealthy(r);
    assertThat((Integer) r.stats().get("acked")).as(r.summary()).isGreaterThan(5);
  }

  @Test
  @Order(3)
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
  void platinumBatchIsAllOrNothingUnderFaults() throws Exception {
    long seed = seedAndPlan(3, "platinum");
    // -Dplatinum.customers=197563 runs the seed's exercise at full size (minutes; long form).
    int customers = Integer.getInteger("platinum.customers", 2_000);
    WorkloadResult r = bounded(() -> new PlatinumBatchWorkload(
        PlatinumBatchWorkload.Options.scaled(customers)).run(cluster, RUN, seed));
    assertHealthy(r);
  }
}
