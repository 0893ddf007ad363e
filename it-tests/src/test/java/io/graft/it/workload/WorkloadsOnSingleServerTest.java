package io.graft.it.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

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
  /** A broken set client is caught within seconds: one insert in ten is hit. */
  private static final Duration BROKEN_RUN = Duration.ofSeconds(4);
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
  void setCatchesAnAcknowledgedInsertThatIsLost() throws Exception {
    WorkloadResult r = new SetWorkload(SetWorkload.Options.defaults()
        .broken(SetWorkload.Mutation.DROP_ACKNOWLEDGED)).run(cluster, BROKEN_RUN, seed());
    System.out.println(r.summary());
    assertThat(r.stats()).as(r.summary()).containsKey("mutatedDropped");
    assertThat(r.valid()).as(r.summary()).isFalse();
    assertThat(r.problems()).as(r.summary()).anyMatch(p -> p.startsWith("at the end on")
        && p.contains("acknowledged inserts are missing"));
  }

  @Test
  void setCatchesAFailedInsertThatTookEffect() throws Exception {
    WorkloadResult r = new SetWorkload(SetWorkload.Options.defaults()
        .broken(SetWorkload.Mutation.REPORT_COMMITTED_AS_FAILED)).run(cluster, BROKEN_RUN, seed());
    System.out.println(r.summary());
    assertThat(r.stats()).as(r.summary()).containsKey("mutatedReportedAsFailed");
    assertThat(r.valid()).as(r.summary()).isFalse();
    assertThat(r.problems()).as(r.summary()).anyMatch(p -> p.startsWith("at the end on")
        && p.contains("inserts that definitely failed are present"));
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

  @Test
  void registerCatchesReadsServedFromAStaleClientCache() throws Exception {
    WorkloadResult r = new RegisterWorkload(RegisterWorkload.Options.defaults()
        .withBrokenCachedReads()).run(cluster, RUN, seed());
    System.out.println(r.summary());
    assertThat(r.valid()).as(r.summary()).isFalse();
    assertThat(r.stats()).as(r.summary()).containsEntry("verdict",
        io.graft.it.check.LinearizabilityResult.Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void faultHooksAreDrivenAndDivergentDigestsAreReported() throws Exception {
    AtomicInteger strikes = new AtomicInteger();
    AtomicInteger heals = new AtomicInteger();
    Nemesis recording = Nemesis.of(rnd -> "recorded strike " + strikes.incrementAndGet(),
        heals::incrementAndGet);
    Cluster faulty = new Cluster() {
      @Override
      public List<URI> memberBoltUris() {
        return cluster.memberBoltUris();
      }

      @Override
      public URI routingUri() {
        return cluster.routingUri();
      }

      @Override
      public Nemesis nemesis() {
        return recording;
      }

      @Override
      public Map<String, String> digests() {
        return Map.of("a", "digest-1", "b", "digest-2");
      }
    };
    WorkloadResult r = new PlatinumBatchWorkload(PlatinumBatchWorkload.Options.scaled(1_000))
        .run(faulty, RUN, seed());
    System.out.println(r.summary());
    assertThat(strikes.get()).as(r.summary()).isGreaterThan(1);
    assertThat(r.history()).as("a strike aimed at the batch in flight")
        .anyMatch(e -> e.toString().startsWith("nemesis during batch")
            || e.toString().startsWith("nemesis: batch finished"));
    assertThat(heals.get()).isEqualTo(1);
    assertThat(r.history()).anyMatch(e -> e.toString().contains("recorded strike"));
    assertThat(r.problems()).as(r.summary()).anyMatch(p -> p.startsWith("members diverge"));
  }

  /** The seed's exercise at full size; run with {@code -Dplatinum.full=true} (minutes). */
  @Test
  @EnabledIfSystemProperty(named = "platinum.full", matches = "true")
  void platinumBatchAtFullSize() throws Exception {
    WorkloadResult r = new PlatinumBatchWorkload(
        PlatinumBatchWorkload.Options.scaled(PlatinumBatchWorkload.FULL_SIZE))
        .run(cluster, Duration.ofSeconds(60), seed());
    System.out.println(r.summary());
    assertThat(r.valid()).as(r.summary()).isTrue();
    assertThat(r.stats()).as(r.summary()).containsEntry("batch", "acknowledged");
  }
}
