package io.graft.raft.sim;

import java.security.SecureRandom;

/**
 * Where the seed sweeps start. Every run (one test JVM) explores new seeds: the base is random,
 * drawn once, and printed once with the property that pins it; {@code -Dsim.seedBase=B} pins it
 * (to rerun a whole sweep), and every failure prints the replay line of its own seed anyway.
 */
final class SimSeeds {
  private static final long BASE = chooseBase();

  private SimSeeds() {}

  /** The first seed of every sweep in this JVM. */
  static long base() {
    return BASE;
  }

  private static long chooseBase() {
    Long pinned = Long.getLong("sim.seedBase");
    long base = pinned != null ? pinned : new SecureRandom().nextLong(1_000_000_000L);
    System.out.println(
        "simulation seeds start at base "
            + base
            + (pinned != null ? " (pinned)" : " (random)")
            + "; rerun the same sweeps with -Dsim.seedBase="
            + base);
    return base;
  }
}
