package io.graft.raft.sim;

/** A failed run: carries the seed and member count so the test can print its replay line. */
public final class SimulationFailure extends AssertionError {
  private final long seed;
  private final int members;

  SimulationFailure(long seed, int members, long eventNumber, Throwable cause, String traceTail) {
    super(
        "simulation seed="
            + seed
            + " members="
            + members
            + " failed at event "
            + eventNumber
            + ": "
            + cause
            + "\n--- trace tail (oldest first) ---\n"
            + traceTail,
        cause);
    this.seed = seed;
    this.members = members;
  }

  public long seed() {
    return seed;
  }

  public int members() {
    return members;
  }

  public String replayCommand() {
    return "replay: mvn -B -o -pl core-raft test -Dtest=SimulationTest -Dsim.seed="
        + seed
        + " -Dsim.members="
        + members;
  }
}
