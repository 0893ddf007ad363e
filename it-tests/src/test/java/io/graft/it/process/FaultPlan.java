package io.graft.it.process;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Which faults one workload run gets. The short CI form injects ONE fault of one kind, picked
 * from the run's seed (so a failure replays with {@code -Dworkload.seed=N}); the long form
 * ({@code -Dworkload.seconds} above {@link #LONG_RUN}) injects a new fault at every other strike
 * of the schedule, each kind drawn from the nemesis's seeded random. {@code -Dworkload.fault}
 * forces one kind ({@code kill-leader}, {@code pause-leader}, ...) or {@code mixed}.
 *
 * @param kinds the kinds to choose from, in a fixed order
 * @param maxFaults how many faults a run may inject
 */
record FaultPlan(List<FaultKind> kinds, int maxFaults) {
  /** Runs longer than this get a schedule of several faults. */
  static final Duration LONG_RUN = Duration.ofSeconds(60);

  FaultPlan {
    kinds = List.copyOf(kinds);
    if (kinds.isEmpty() || maxFaults < 1) {
      throw new IllegalArgumentException("a plan needs a kind and a fault: " + kinds);
    }
  }

  /** The plan for a run of {@code run} with {@code seed}, honouring {@code -Dworkload.fault}. */
  static FaultPlan forRun(long seed, Duration run, String forced) {
    boolean longRun = run.compareTo(LONG_RUN) > 0;
    // Long form: a fault every 30 s (held 15 s), so the run's length sets the count.
    int budget = longRun ? (int) Math.max(2, run.toSeconds() / 30) : 1;
    if (forced == null || forced.isBlank()) {
      return longRun ? new FaultPlan(List.of(FaultKind.values()), budget)
          : new FaultPlan(List.of(bySeed(seed)), budget);
    }
    if ("mixed".equalsIgnoreCase(forced.trim())) {
      return new FaultPlan(List.of(FaultKind.values()), budget);
    }
    return new FaultPlan(List.of(FaultKind.parse(forced)), budget);
  }

  /** The short form's kind: the seed picks one, so consecutive CI runs rotate through them. */
  static FaultKind bySeed(long seed) {
    FaultKind[] all = FaultKind.values();
    return all[(int) Math.floorMod(seed, (long) all.length)];
  }

  /** The next kind to inject. */
  FaultKind next(Random rnd) {
    return kinds.size() == 1 ? kinds.get(0) : kinds.get(rnd.nextInt(kinds.size()));
  }

  @Override
  public String toString() {
    String names = kinds.stream().map(FaultKind::cliName).collect(Collectors.joining(","));
    return (maxFaults == 1 ? "1 fault" : maxFaults + " faults, one every other strike,")
        + " of " + (kinds.size() == 1 ? names : "[" + names + "]");
  }

  static String allNames() {
    return Arrays.stream(FaultKind.values()).map(FaultKind::cliName)
        .collect(Collectors.joining(", "));
  }
}
