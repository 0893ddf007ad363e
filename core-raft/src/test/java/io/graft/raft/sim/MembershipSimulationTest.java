package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

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
 * <p>Properties: {@code -Dsim.membershipSeeds} (default 120 per size), {@code -Dsim.events}.
 * Replay: {@code -Dtest=MembershipSimulationTest -Dsim.membershipSeed=N -Dsim.members=3}.
 */
class MembershipSimulationTest {
  private static final long SEEDS = Long.getLong("sim.membershipSeeds", 120);
  private static final int EVENTS = Integer.getInteger("sim.events", 2000);
  private static final int SPARES = 2;
  private static final Long SINGLE_SEED = Long.getLong("sim.membershipSeed");

  @Test
  void threeVotersWithJoinsAndRemovalsStaySafeAndLive() {
    sweep(3);
  }

  @Test
  void fiveVotersWithJoinsAndRemovalsStaySafeAndLive() {
    sweep(5);
  }

  private void sweep(int members) {
    long from = SINGLE_SEED != null ? SINGLE_SEED : 0;
    long to = SINGLE_SEED != null ? SINGLE_SEED + 1 : SEEDS;
    if (SINGLE_SEED != null && members != Integer.getInteger("sim.members", members)) {
      return;
    }
    long started = System.nanoTime();
    long changes = 0;
    long committed = 0;
    for (long seed = from; seed < to; seed++) {
      Simulation.Result r;
      try {
        r = new Simulation(seed, members, SPARES, EVENTS).run();
      } catch (SimulationFailure failure) {
        System.out.println(
            "replay: mvn -B -pl core-raft test -Dtest=MembershipSimulationTest"
                + " -Dsim.membershipSeed="
                + seed
                + " -Dsim.members="
                + members);
        throw failure;
      }
      changes += r.membershipChangesDone();
      committed += r.committed();
      assertThat(r.committed()).as("seed %d committed entries", seed).isPositive();
    }
    System.out.printf(
        "membership simulation: %d voters + %d spares, seeds [%d, %d), %d changes committed,"
            + " %d entries committed, %d ms%n",
        members, SPARES, from, to, changes, committed, (System.nanoTime() - started) / 1_000_000);
    if (SINGLE_SEED == null) {
      // The sweep must really exercise changes, not just refuse them.
      assertThat(changes)
          .as("membership changes completed over the sweep")
          .isGreaterThan((to - from) / 4);
    }
  }
}
