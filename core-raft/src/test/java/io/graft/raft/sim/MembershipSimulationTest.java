package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * Tier 2 with membership changes (thesis §4.1-§4.2.3): 3 or 5 founding voters plus 2 spares that
 * join; the fault injector adds members (learner, catch-up, promotion), removes followers,
 * learners and the leader, and transfers leadership, racing with loss, duplication, partitions,
 * crashes inside a Ready and restarts. Every safety invariant is checked after every event
 * (Election Safety — never two leaders in one term — across configurations, Log Matching, Leader
 * Completeness, State Machine Safety); after healing, a leader must commit a fresh entry that every
 * member of its configuration applies.
 *
 * <p>Properties: {@code -Dsim.membershipSeeds} (default 120 per size, from the random base of
 * {@link SimSeeds}), {@code -Dsim.events}. A failure prints its replay line: {@code
 * -Dtest=SimulationTest#replaysOneSeed -Dsim.seed=N -Dsim.members=3 -Dsim.spares=2}.
 */
class MembershipSimulationTest {
  private static final long SEEDS = Long.getLong("sim.membershipSeeds", 120);
  private static final int EVENTS = Integer.getInteger("sim.events", 2000);
  private static final int SPARES = 2;

  @Test
  void threeVotersWithJoinsAndRemovalsStaySafeAndLive() {
    sweep(3);
  }

  @Test
  void fiveVotersWithJoinsAndRemovalsStaySafeAndLive() {
    sweep(5);
  }

  private void sweep(int members) {
    assumeTrue(System.getProperty("sim.seed") == null, "replaying a single seed");
    long from = SimSeeds.base();
    long to = from + SEEDS;
    long started = System.nanoTime();
    long events = 0;
    long changes = 0;
    long committed = 0;
    for (long seed = from; seed < to; seed++) {
      Simulation.Result r;
      try {
        r = new Simulation(seed, members, SPARES, EVENTS).run();
      } catch (SimulationFailure failure) {
        System.out.println(failure.replayCommand());
        throw failure;
      }
      events += r.events();
      changes += r.membershipChangesDone();
      committed += r.committed();
      assertThat(r.committed())
          .as("entries committed by seed %d (%s)", seed,
              SimulationFailure.replayCommand(seed, members, SPARES, EVENTS, null))
          .isPositive();
    }
    System.out.printf(
        "membership simulation: %d voters + %d spares, %d seeds [%d, %d), %d events,"
            + " %d changes committed, %d entries committed, %d ms%n",
        members, SPARES, SEEDS, from, to, events, changes, committed,
        (System.nanoTime() - started) / 1_000_000);
    // The sweep must really exercise changes, not just refuse them.
    assertThat(changes)
        .as("membership changes completed over the sweep")
        .isGreaterThan((to - from) / 4);
  }
}
