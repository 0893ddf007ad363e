package io.graft.it.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which faults one workload run injects, in order: a schedule, never a dice roll, so that every
 * run of the class covers every {@link FaultKind}.
 *
 * <p>Short CI form: the six kinds, rotated by the class's seed, are dealt to the class's four
 * workloads two, two, one and one ({@link #SHORT_SHARES}): whichever the seed, one class run
 * injects each kind exactly once, and successive seeds move the kinds between workloads. Long
 * form ({@code -Dworkload.seconds} above {@link #LONG_RUN}): one fault per 30 s, each workload
 * cycling through all six kinds from its own starting point. {@code -Dworkload.fault=KIND}
 * makes every fault of the schedule that kind; {@code mixed} is the default schedule.
 *
 * @param kinds the faults to inject, in order
 */
record FaultPlan(List<FaultKind> kinds) {
  /** Runs longer than this get a fault every 30 s. */
  static final Duration LONG_RUN = Duration.ofSeconds(60);
  /** How many faults each of the four workloads injects in the short form: six in all. */
  static final int[] SHORT_SHARES = {2, 2, 1, 1};

  FaultPlan {
    kinds = List.copyOf(kinds);
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("a plan needs at least one fault");
    }
  }

  /**
   * The plan of workload {@code workload} (0..3, in the class's order) for a run of {@code run}
   * with the class's {@code seed}, honouring {@code -Dworkload.fault} ({@code forced}).
   */
  static FaultPlan forWorkload(int workload, long seed, Duration run, String forced) {
    List<FaultKind> rotated = rotated(seed);
    int start = 0;
    for (int w = 0; w < workload; w++) {
      start += SHORT_SHARES[w];
    }
    boolean longRun = run.compareTo(LONG_RUN) > 0;
    int count = longRun ? (int) Math.max(2, run.toSeconds() / 30) : SHORT_SHARES[workload];
    FaultKind only = forcedKind(forced);
    List<FaultKind> kinds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      kinds.add(only != null ? only : rotated.get((start + i) % rotated.size()));
    }
    return new FaultPlan(kinds);
  }

  /** {@code count} faults cycling through every kind, from a point the seed picks (a soak). */
  static FaultPlan cycling(long seed, int count) {
    return cycling(seed, count, null);
  }

  /**
   * {@code count} faults cycling through every kind from a point the seed picks, or all of the
   * {@code forced} kind when one is given ({@code -Dworkload.fault}; {@code mixed} or blank is
   * the cycle).
   */
  static FaultPlan cycling(long seed, int count, String forced) {
    FaultKind only = forcedKind(forced);
    List<FaultKind> rotated = rotated(seed);
    List<FaultKind> kinds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      kinds.add(only != null ? only : rotated.get(i % rotated.size()));
    }
    return new FaultPlan(kinds);
  }

  private static FaultKind forcedKind(String forced) {
    return forced == null || forced.isBlank() || "mixed".equalsIgnoreCase(forced.trim())
        ? null : FaultKind.parse(forced);
  }

  /** The six kinds, rotated by the seed, so successive seeds deal them to other workloads. */
  static List<FaultKind> rotated(long seed) {
    List<FaultKind> all = Arrays.asList(FaultKind.values());
    int by = (int) Math.floorMod(seed, (long) all.size());
    List<FaultKind> out = new ArrayList<>(all.subList(by, all.size()));
    out.addAll(all.subList(0, by));
    return out;
  }

  int maxFaults() {
    return kinds.size();
  }

  /** The kind of the fault injected after {@code injected} others. */
  FaultKind kind(int injected) {
    return kinds.get(injected);
  }

  @Override
  public String toString() {
    return kinds.size() + (kinds.size() == 1 ? " fault: " : " faults: ")
        + kinds.stream().map(FaultKind::cliName).collect(Collectors.joining(", "));
  }

  static String allNames() {
    return Arrays.stream(FaultKind.values()).map(FaultKind::cliName)
        .collect(Collectors.joining(", "));
  }
}
