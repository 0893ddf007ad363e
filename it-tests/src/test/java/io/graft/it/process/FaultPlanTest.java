package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fault schedules, which decide what a CI run tests and how a failure replays. */
class FaultPlanTest {
  private static final Duration SHORT = Duration.ofSeconds(20);
  private static final Duration LONG = Duration.ofSeconds(600);

  /** Whatever the seed, one short class run (four workloads) injects each kind exactly once. */
  @Test
  void everyShortClassRunCoversEveryKindOnce() {
    for (long seed = -7; seed < 50; seed++) {
      List<FaultKind> all = new ArrayList<>();
      for (int w = 0; w < FaultPlan.SHORT_SHARES.length; w++) {
        FaultPlan plan = FaultPlan.forWorkload(w, seed, SHORT, null);
        assertThat(plan.maxFaults()).isEqualTo(FaultPlan.SHORT_SHARES[w]);
        all.addAll(plan.kinds());
      }
      assertThat(all).as("seed %d", seed).containsExactlyInAnyOrder(FaultKind.values());
    }
  }

  @Test
  void successiveSeedsGiveAWorkloadEveryKind() {
    EnumSet<FaultKind> seen = EnumSet.noneOf(FaultKind.class);
    for (long seed = 100; seed < 100 + FaultKind.values().length; seed++) {
      seen.add(FaultPlan.forWorkload(3, seed, SHORT, null).kind(0));
    }
    assertThat(seen).containsExactlyInAnyOrder(FaultKind.values());
  }

  @Test
  void theSameSeedGivesTheSameSchedule() {
    for (int w = 0; w < 4; w++) {
      assertThat(FaultPlan.forWorkload(w, 42, SHORT, null))
          .isEqualTo(FaultPlan.forWorkload(w, 42, SHORT, "mixed"))
          .isEqualTo(FaultPlan.forWorkload(w, 42, SHORT, ""));
    }
  }

  @Test
  void longRunsCycleThroughEveryKindOneFaultPerThirtySeconds() {
    FaultPlan plan = FaultPlan.forWorkload(1, 7, LONG, null);
    assertThat(plan.maxFaults()).isEqualTo(20);
    for (int i = 0; i + 6 <= plan.maxFaults(); i += 6) {
      assertThat(plan.kinds().subList(i, i + 6)).containsExactlyInAnyOrder(FaultKind.values());
    }
  }

  @Test
  void aForcedKindFillsTheSchedule() {
    for (FaultKind kind : FaultKind.values()) {
      FaultPlan shortPlan = FaultPlan.forWorkload(0, 1, SHORT, kind.cliName());
      assertThat(shortPlan.kinds()).containsExactly(kind, kind);
      assertThat(FaultPlan.forWorkload(2, 1, LONG, kind.name()).kinds()).containsOnly(kind);
    }
  }

  @Test
  void theCombinedRunSeesEveryKindOnceWhateverTheSeed() {
    for (long seed = -7; seed < 13; seed++) {
      FaultPlan plan = FaultPlan.cycling(seed, FaultKind.values().length, null);
      assertThat(plan.kinds()).as("seed " + seed)
          .containsExactlyInAnyOrder(FaultKind.values());
      assertThat(FaultPlan.cycling(seed, 6, "mixed")).isEqualTo(plan);
    }
    assertThat(FaultPlan.cycling(3, 6, null).kind(0)).isNotEqualTo(
        FaultPlan.cycling(4, 6, null).kind(0));
    assertThat(FaultPlan.cycling(3, 6, "kill-leader").kinds()).hasSize(6)
        .containsOnly(FaultKind.KILL_LEADER);
  }

  @Test
  void anUnknownKindIsRefusedNotIgnored() {
    assertThatThrownBy(() -> FaultPlan.forWorkload(0, 1, SHORT, "unplug-everything"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thePlanSaysWhatItWillDo() {
    assertThat(FaultPlan.forWorkload(2, 0, SHORT, "pause-leader").toString())
        .isEqualTo("1 fault: pause-leader");
    assertThat(FaultPlan.forWorkload(0, 0, SHORT, null).toString())
        .isEqualTo("2 faults: kill-leader, pause-leader");
  }

  @Test
  void onlyFaultsAimedAtTheLeaderMustEndInAnElection() {
    assertThat(EnumSet.allOf(FaultKind.class).stream().filter(FaultKind::targetsLeader))
        .containsExactlyInAnyOrder(FaultKind.KILL_LEADER, FaultKind.PAUSE_LEADER,
            FaultKind.ISOLATE_LEADER);
  }
}
