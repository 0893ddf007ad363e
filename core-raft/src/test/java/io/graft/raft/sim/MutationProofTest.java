package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mutation proof: the simulation would catch a broken protocol. Each {@link BrokenVariant}
 * breaks one rule Raft's safety rests on; run exactly like the CI sweep ({@link SimulationTest}:
 * same faults, same checks, seeds from the same random base), each must end in a violated safety
 * invariant within {@link #SEEDS} seeds (3 and 5 members per seed). The test prints which seed and
 * which invariant caught it, with the replay line.
 *
 * <p>The bound is set from measured catch rates (core-raft README, "Mutation proof"), so that a
 * variant missed by chance is practically impossible while the proof stays within seconds.
 * {@code -Dsim.mutationRates=N} measures those rates over N seeds per size instead.
 */
class MutationProofTest {
  private static final long SEEDS = Long.getLong("sim.mutationSeeds", 200);
  private static final int EVENTS = Integer.getInteger("sim.events", 2000);
  private static final Long RATE_SEEDS = Long.getLong("sim.mutationRates");
  private static final List<Integer> SIZES = List.of(3, 5);

  @ParameterizedTest(name = "{0}")
  @EnumSource(BrokenVariant.class)
  void theSweepCatchesTheBrokenVariant(BrokenVariant variant) {
    assumeTrue(System.getProperty("sim.seed") == null, "replaying a single seed");
    long base = SimSeeds.base();
    long started = System.nanoTime();
    int runs = 0;
    List<String> notSafety = new ArrayList<>();
    for (long seed = base; seed < base + SEEDS; seed++) {
      for (int members : SIZES) {
        runs++;
        try {
          new Simulation(seed, members, 0, EVENTS, variant).run();
        } catch (SimulationFailure caught) {
          if (!caught.brokeSafety()) {
            // Caught, but not by a safety check (e.g. only liveness): keep looking for the real one.
            notSafety.add("seed " + seed + "/" + members + ": " + caught.caughtBy());
            continue;
          }
          System.out.printf(
              "mutation proof: %s (%s) caught by %s at seed %d, %d members, event %d, after %d"
                  + " runs, %d ms%s%n  %s%n",
              variant, variant.description(), caught.caughtBy(), seed, members,
              caught.eventNumber(), runs, (System.nanoTime() - started) / 1_000_000,
              notSafety.isEmpty() ? "" : " (before: " + notSafety + ")", caught.replayCommand());
          return;
        }
      }
    }
    fail(variant + " (" + variant.description() + ") broke no safety invariant in " + runs
        + " runs (seeds [" + base + ", " + (base + SEEDS) + "), 3 and 5 members; other"
        + " failures: " + notSafety + "): the simulation cannot tell it from a correct protocol");
  }

  /**
   * Measures how often each variant is caught, and by what: {@code -Dsim.mutationRates=N} runs N
   * seeds per size from the base. Prints one line per variant and size.
   */
  @Test
  void measuresCatchRates() {
    assumeTrue(RATE_SEEDS != null, "set -Dsim.mutationRates=N to measure catch rates");
    long base = SimSeeds.base();
    for (BrokenVariant variant : BrokenVariant.values()) {
      for (int members : SIZES) {
        long started = System.nanoTime();
        Map<String, Integer> byCheck = new TreeMap<>();
        long caught = 0;
        long firstCaught = -1;
        for (long seed = base; seed < base + RATE_SEEDS; seed++) {
          try {
            new Simulation(seed, members, 0, EVENTS, variant).run();
          } catch (SimulationFailure failure) {
            caught++;
            firstCaught = firstCaught < 0 ? seed : firstCaught;
            String by = (failure.brokeSafety() ? "" : "NOT SAFETY: ") + failure.caughtBy();
            byCheck.merge(by.length() > 90 ? by.substring(0, 90) : by, 1, Integer::sum);
          }
        }
        System.out.printf(
            "catch rate: %s, %d members: %d of %d seeds (%.1f%%), first at seed %d, %d ms;"
                + " by %s%n",
            variant, members, caught, RATE_SEEDS, 100.0 * caught / RATE_SEEDS, firstCaught,
            (System.nanoTime() - started) / 1_000_000, byCheck);
      }
    }
  }
}
