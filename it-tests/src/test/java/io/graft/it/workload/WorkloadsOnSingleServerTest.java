package io.graft.it.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves every Tier 5 workload and its checks on ONE stock Neo4j 5.26 (no plugin) before graft's
 * clusters exist: each workload runs briefly and must pass, and deliberately broken setups must
 * be caught, so the checks are shown able to fail. One in-process server is shared by all tests
 * (starting one costs 10-90 s on this shared machine); each workload wipes its own labels first.
 * Seeds come from {@code -Dworkload.seed} (replay) or the clock, and every result message names it.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class WorkloadsOnSingleServerTest {

  private static final Duration RUN = Duration.ofSeconds(8);
  private static SingleServerCluster cluster;

  @BeforeAll
  static void startServer() throws Exception {
    cluster = SingleServerCluster.start();
  }

  @AfterAll
  static void stopServer() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static long seed() {
    return Long.getLong("workload.seed", System.nanoTime());
  }

  @Test
  void bankKeepsItsTotalEverywhere() throws Exception {
    WorkloadResult r = new BankWorkload(BankWorkload.Options.defaults()).run(cluster, RUN, seed());
    System.out.println(r.summary());
    assertThat(r.valid()).as(r.summary()).isTrue();
    assertThat(r.ok()).as(r.summary()).isGreaterThan(5);
    assertThat(r.history()).anyMatch(e -> e instanceof BankWorkload.Event ev
        && ev.kind().equals("locked-read"));
    assertThat(r.digests()).hasSize(1);
  }

  @Test
  void bankCatchesATransferSplitAcrossTwoTransactionsWithACrashBetween() throws Exception {
    WorkloadResult r = new BankWorkload(BankWorkload.Options.defaults().broken(0.5))
        .run(cluster, RUN, seed());
    System.out.println(r.summary());
    assertThat(r.history()).as("a crash was injected; " + r.summary())
        .anyMatch(e -> e instanceof BankWorkload.Event ev && ev.outcome().startsWith("crashed"));
    assertThat(r.valid()).as(r.summary()).isFalse();
    assertThat(r.problems()).as(r.summary()).anyMatch(p -> p.startsWith("at the end on")
        && p.contains("total"));
  }

  @Test
  void registerHistoryIsLinearizable() throws Exception {
    WorkloadResult r = new RegisterWorkload(RegisterWorkload.Options.defaults())
        .run(cluster, RUN, seed());
    System.out.println(r.summary());
    assertThat(r.valid()).as(r.summary()).isTrue();
    assertThat(r.stats()).as(r.summary()).containsEntry("verdict",
        io.graft.it.check.LinearizabilityResult.Verdict.LINEARIZABLE);
    assertThat(r.history()).as(r.summary()).hasSizeGreaterThan(5);
  }

  @Test
  void setKeepsEveryAcknowledgedInsert() throws Exception {
    WorkloadResult r = new SetWorkload(SetWorkload.Options.defaults()).run(cluster, RUN, seed());
    System.out.println(r.summary());
    assertThat(r.valid()).as(r.summary()).isTrue();
    assertThat((Integer) r.stats().get("acked")).as(r.summary()).isGreaterThan(5);
  }

  @Test
  void platinumBatchIsAllOrNothingWhileBusinessContinues() throws Exception {
    WorkloadResult r = new PlatinumBatchWorkload(PlatinumBatchWorkload.Options.scaled(3_000))
        .run(cluster, RUN, seed());
    System.out.println(r.summary());
    assertThat(r.valid()).as(r.summary()).isTrue();
    assertThat(r.stats()).as(r.summary()).containsEntry("batch", "acknowledged");
    assertThat((Long) r.stats().get("eligible")).as(r.summary()).isGreaterThan(100);
  }

  @Test
  void platinumCatchesABatchSplitAcrossTransactions() throws Exception {
    WorkloadResult r = new PlatinumBatchWorkload(
        PlatinumBatchWorkload.Options.scaled(3_000).broken()).run(cluster, RUN, seed());
    System.out.println(r.summary());
    assertThat(r.valid()).as(r.summary()).isFalse();
    assertThat(r.problems()).as(r.summary()).anyMatch(p -> p.contains("partial batch"));
  }
}
