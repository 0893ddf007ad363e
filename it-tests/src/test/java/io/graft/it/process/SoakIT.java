package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.graft.cluster.LocalCluster;
import io.graft.it.ItClusters;
import io.graft.it.check.LinearizabilityResult;
import io.graft.it.workload.Soak;
import io.graft.it.workload.WorkloadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The soak (it-tests/SOAK.md): bank, set, register and platinum at once against ONE 3-server
 * graft cluster for {@code -Dsoak.minutes} minutes, with a fault every 30 s cycling through every
 * {@link FaultKind} (each held ~15 s, each checked to have taken effect by
 * {@link FaultEvidence}), every workload checking as it goes, a progress line every 30 s. At the
 * end: no violated check in any workload, every fault injected and undone, and one digest on
 * every member. Opt-in (long): {@code mvn -B -pl it-tests -am verify
 * -Dtest=SoakIT -Dsoak.minutes=30 -Dsurefire.failIfNoSpecifiedTests=false}; replay the fault
 * schedule and the clients' choices with {@code -Dsoak.seed=N}. Writes a Markdown summary to
 * {@code it-tests/target/soak-report.md}.
 */
@EnabledIfSystemProperty(named = "soak.minutes", matches = "[0-9]+")
class SoakIT {
  private static final Duration STRIKE_EVERY = Duration.ofSeconds(15);

  @Test
  void fourWorkloadsOnOneClusterUnderAFaultEveryThirtySeconds() throws Exception {
    Duration run = Duration.ofMinutes(Long.getLong("soak.minutes"));
    long seed = Long.getLong("soak.seed", System.nanoTime());
    Instant started = Instant.now();
    try (LocalCluster local = LocalCluster.start(ItClusters.options("soak", 3).withFaultProxy(true));
        GraftProcessCluster cluster = new GraftProcessCluster(local)) {
      // More faults than the run can hold: the soak stops injecting when its time is up.
      FaultPlan plan = FaultPlan.cycling(seed, (int) (run.toSeconds() / 30) + 6);
      cluster.resetFaults(plan);
      System.out.println("[soak] seed=" + seed + " for " + run.toMinutes() + " min, a fault every "
          + STRIKE_EVERY.multipliedBy(2).toSeconds() + " s cycling from "
          + plan.kind(0).cliName() + " (replay: -Dsoak.seed=" + seed + ")");
      List<WorkloadResult> results = assertTimeoutPreemptively(run.plusMinutes(30),
          () -> Soak.run(cluster, run, seed, STRIKE_EVERY, cluster.faults()::stopInjecting,
              () -> status(local, cluster), System.out::println));
      List<String> schedule = cluster.schedule();
      String report = report(seed, run, started, results, cluster, schedule);
      Path file = Path.of(System.getProperty("graft.it.dir", "target/it-clusters"))
          .resolveSibling("soak-report.md");
      write(file, report);
      System.out.println(report);
      String context = "seed=" + seed + "; see " + file;
      for (WorkloadResult r : results) {
        assertThat(r.problems()).as(r.workload() + " " + context).isEmpty();
        assertThat(r.ok()).as(r.workload() + " made progress; " + context).isGreaterThan(100);
      }
      assertThat(results.get(2).stats()).as(context)
          .containsEntry("verdict", LinearizabilityResult.Verdict.LINEARIZABLE);
      assertThat(EnumSet.copyOf(cluster.faults().injectedKinds())).as("kinds injected; " + context)
          .containsExactlyInAnyOrder(FaultKind.values());
      assertThat(cluster.faults().finished()).as("every fault undone; " + context).isTrue();
      assertThat(cluster.faults().unverified()).as("faults not seen to take effect; " + context)
          .isEmpty();
      assertThat(cluster.faults().elections()).as(context)
          .noneMatch(e -> e.startsWith("NO new leader"));
      Set<String> digests = new HashSet<>();
      results.forEach(r -> digests.addAll(r.digests().values()));
      assertThat(digests).as("one digest on every member, for every workload's final look; "
          + context).hasSize(1);
    }
  }

  private static String status(LocalCluster local, GraftProcessCluster cluster) {
    List<String> members = new ArrayList<>();
    for (int m = 1; m <= local.size(); m++) {
      String state = local.server(m).isAlive()
          ? (local.server(m).isPaused() ? "stopped" : describe(local, m)) : "down";
      members.add("member-" + m + " " + state);
    }
    List<FaultKind> kinds = cluster.faults().injectedKinds();
    return kinds.size() + " faults so far (last " + (kinds.isEmpty() ? "none"
        : kinds.get(kinds.size() - 1).cliName()) + "); " + String.join(", ", members);
  }

  private static String describe(LocalCluster local, int member) {
    Optional<Map<String, Object>> row = local.probe().status(member);
    return row.map(r -> r.get("role") + " t" + r.get("term") + " applied " + r.get("appliedIndex"))
        .orElse("no answer");
  }

  private static String report(long seed, Duration run, Instant started,
      List<WorkloadResult> results, GraftProcessCluster cluster, List<String> schedule) {
    StringBuilder md = new StringBuilder("# Soak run\n\n");
    md.append("- started ").append(started).append(", ").append(run.toMinutes())
        .append(" min requested, ").append(Duration.between(started, Instant.now()).toSeconds())
        .append(" s in all (start, run, heal, final checks)\n");
    md.append("- seed ").append(seed).append(" (replay: -Dsoak.seed=").append(seed).append(")\n");
    md.append("- faults injected: ").append(cluster.faults().injectedKinds().size()).append(" (");
    for (FaultKind kind : FaultKind.values()) {
      md.append(kind.cliName()).append(' ').append(cluster.faults().injectedKinds().stream()
          .filter(kind::equals).count()).append(kind.ordinal() < 5 ? ", " : "");
    }
    md.append(")\n- elections after leader faults: ").append(cluster.faults().elections().size())
        .append("\n- faults not seen to take effect: ").append(cluster.faults().unverified())
        .append("\n\n| workload | ok | failed | unknown | problems | stats |\n")
        .append("|---|---|---|---|---|---|\n");
    for (WorkloadResult r : results) {
      md.append("| ").append(r.workload()).append(" | ").append(r.ok()).append(" | ")
          .append(r.failed()).append(" | ").append(r.unknown()).append(" | ")
          .append(r.problems().size()).append(" | ").append(r.stats()).append(" |\n");
    }
    md.append("\nDigests at the end: ").append(results.isEmpty() ? Map.of()
        : results.get(results.size() - 1).digests()).append("\n\n## Fault schedule\n\n");
    schedule.forEach(line -> md.append("- ").append(line).append('\n'));
    return md.toString();
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
