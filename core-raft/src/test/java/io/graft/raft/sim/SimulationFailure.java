package io.graft.raft.sim;

/**
 * A failed run: carries what the test needs to print the one command that replays it exactly
 * (seed, members, spares, events, broken variant), and names the check that caught it.
 */
public final class SimulationFailure extends AssertionError {
  private static final int DEFAULT_EVENTS = 2000;

  private final long seed;
  private final int members;
  private final int spares;
  private final int events;
  private final BrokenVariant broken;
  private final long eventNumber;

  SimulationFailure(
      long seed,
      int members,
      int spares,
      int events,
      BrokenVariant broken,
      long eventNumber,
      Throwable cause,
      String traceTail) {
    super(
        "simulation seed="
            + seed
            + " members="
            + members
            + (spares > 0 ? " spares=" + spares : "")
            + (broken != null ? " broken=" + broken : "")
            + " failed at event "
            + eventNumber
            + ": "
            + cause
            + "\n--- trace tail (oldest first) ---\n"
            + traceTail,
        cause);
    this.seed = seed;
    this.members = members;
    this.spares = spares;
    this.events = events;
    this.broken = broken;
    this.eventNumber = eventNumber;
  }

  public long seed() {
    return seed;
  }

  public int members() {
    return members;
  }

  /** The chaos event at which the violation was detected. */
  public long eventNumber() {
    return eventNumber;
  }

  /** The command that replays exactly this run (and prints its trace). */
  public String replayCommand() {
    return replayCommand(seed, members, spares, events, broken);
  }

  /** The command that replays one run (and prints its trace), starting with "replay: ". */
  static String replayCommand(
      long seed, int members, int spares, int events, BrokenVariant broken) {
    return "replay: mvn -B -pl core-raft test -Dtest=SimulationTest#replaysOneSeed"
        + " -Dsim.seed="
        + seed
        + " -Dsim.members="
        + members
        + (spares > 0 ? " -Dsim.spares=" + spares : "")
        + (events != DEFAULT_EVENTS ? " -Dsim.events=" + events : "")
        + (broken != null ? " -Dsim.broken=" + broken : "");
  }

  /**
   * True if a safety check caught the run: a property of the {@link SafetyChecker}, a durable-state
   * check of the simulated stores, or the machine's own invariants; false for liveness, a livelock
   * or an unexpected exception.
   */
  public boolean brokeSafety() {
    Throwable cause = getCause();
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof SafetyViolation) {
      return !message.startsWith("liveness") && !message.contains("still hasReady");
    }
    return message.startsWith("Raft invariant violated");
  }

  /**
   * The check that caught the run, e.g. "Election Safety", "Leader Completeness", "liveness", or
   * "protocol self-check" (the machine's own always-on invariants, {@code Invariants}).
   */
  public String caughtBy() {
    Throwable cause = getCause();
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof SafetyViolation) {
      for (String property :
          new String[] {
            "Election Safety", "Log Matching", "Leader Completeness", "State Machine Safety"
          }) {
        if (message.startsWith(property)) {
          int colon = message.indexOf(':');
          return colon > 0 ? message.substring(0, colon) : property;
        }
      }
      if (message.startsWith("liveness")) {
        return "liveness";
      }
      if (message.contains(" applies ") && message.contains("beyond its commitIndex")) {
        return "State Machine Safety (applied beyond commitIndex)";
      }
      if (message.contains("but another entry was committed there")
          || message.contains("but another entry was already applied there")) {
        return "State Machine Safety (committed vs applied)";
      }
      if (message.contains("differs from the prefix committed elsewhere")) {
        return "committed prefix (Log Matching of committed entries)";
      }
      return "simulator check: " + message;
    }
    if (message.startsWith("Raft invariant violated")) {
      return "protocol self-check: " + message.substring("Raft invariant violated: ".length());
    }
    return cause.getClass().getSimpleName() + ": " + message;
  }
}
