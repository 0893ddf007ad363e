package io.graft.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Bounded model check (docs/TESTING.md Tier 2): every interleaving of ticks, deliveries and
 * proposals of a 3-member cluster up to {@code -Dsim.explore.depth} actions (default 8),
 * deduplicated by observable state, with the {@link SafetyChecker} after every action. A violation
 * reports the action path that reaches it.
 */
class ExplorerTest {
  private static final int DEPTH = Integer.getInteger("sim.explore.depth", 8);

  @Test
  void everyInterleavingUpToTheDepthIsSafe() {
    long started = System.nanoTime();
    Explorer.Stats stats = new Explorer(DEPTH).run();
    System.out.printf("explorer: %s, %d ms%n", stats, (System.nanoTime() - started) / 1_000_000);
    // the exploration must reach the interesting part: states with a leader and a commit
    assertThat(stats.leaderStates()).as("explored states with a leader").isPositive();
    assertThat(stats.committedMax()).as("entries committed in some explored state").isPositive();
  }
}
