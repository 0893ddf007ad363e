package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fault plan's choices, which decide what a CI run tests and how a failure replays. */
class FaultPlanTest {
  private static final Duration SHORT = Duration.ofSeconds(20);
  private static final Duration LONG = Duration.ofSeconds(600);

  @Test
  void shortRunsInjectOneFaultOfTheKindTheSeedPicks() {
    FaultPlan plan = FaultPlan.forRun(7, SHORT, null);
    assertThat(plan.maxFaults()).isEqualTo(1);
    assertThat(plan.kinds()).containsExactly(FaultPlan.bySeed(7));
    assertThat(FaultPlan.forRun(7, SHORT, "")).isEqualTo(plan);
  }

  @Test
  void consecutiveSeedsRotateThroughEveryKind() {
    Set<FaultKind> seen = EnumSet.noneOf(FaultKind.class);
    for (long seed = 1_000; seed < 1_000 + FaultKind.values().length; seed++) {
      seen.add(FaultPlan.bySeed(seed));
    }
    assertThat(seen).containsExactlyInAnyOrder(FaultKind.values());
    assertThat(FaultPlan.bySeed(-1)).isEqualTo(FaultKind.values()[FaultKind.values().length - 1]);
  }

  @Test
  void longRunsMixEveryKindOneFaultPerThirtySeconds() {
    FaultPlan plan = FaultPlan.forRun(7, LONG, null);
    assertThat(plan.maxFaults()).isEqualTo(20);
    assertThat(plan.kinds()).containsExactly(FaultKind.values());
    Random rnd = new Random(42);
    Set<FaultKind> drawn = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      drawn.add(plan.next(rnd));
    }
    assertThat(drawn).containsExactlyInAnyOrder(FaultKind.values());
  }

  @Test
  void theSameSeedDrawsTheSameSchedule() {
    FaultPlan plan = FaultPlan.forRun(7, LONG, "mixed");
    Random a = new Random(99);
    Random b = new Random(99);
    for (int i = 0; i < 50; i++) {
      assertThat(plan.next(a)).isEqualTo(plan.next(b));
    }
  }

  @Test
  void aForcedKindOverridesTheSeed() {
    for (FaultKind kind : FaultKind.values()) {
      FaultPlan shortPlan = FaultPlan.forRun(1, SHORT, kind.cliName());
      assertThat(shortPlan.kinds()).containsExactly(kind);
      assertThat(shortPlan.maxFaults()).isEqualTo(1);
      assertThat(FaultPlan.forRun(1, LONG, kind.name()).kinds()).containsExactly(kind);
    }
    assertThat(FaultPlan.forRun(1, SHORT, "mixed").kinds()).containsExactly(FaultKind.values());
    assertThat(FaultPlan.forRun(1, SHORT, "mixed").maxFaults()).isEqualTo(1);
  }

  @Test
  void anUnknownKindIsRefusedNotIgnored() {
    assertThatThrownBy(() -> FaultPlan.forRun(1, SHORT, "unplug-everything"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thePlanSaysWhatItWillDo() {
    assertThat(FaultPlan.forRun(1, SHORT, "pause-leader").toString())
        .isEqualTo("1 fault of pause-leader");
    assertThat(FaultPlan.forRun(1, LONG, null).toString()).startsWith("20 faults, one every other strike, of [")
        .contains("kill-leader", "cut-leader-link");
  }

  @Test
  void onlyFaultsAimedAtTheLeaderMustEndInAnElection() {
    assertThat(EnumSet.allOf(FaultKind.class).stream().filter(FaultKind::targetsLeader))
        .containsExactlyInAnyOrder(FaultKind.KILL_LEADER, FaultKind.PAUSE_LEADER,
            FaultKind.ISOLATE_LEADER);
  }
}
