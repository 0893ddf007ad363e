package io.graft.raft.sim;

import io.graft.raft.testing.SeedRange;

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
    return SeedRange.base("sim", "simulation");
  }
}
