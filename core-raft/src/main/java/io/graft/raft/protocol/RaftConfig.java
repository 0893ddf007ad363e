package io.graft.raft.protocol;

/**
 * Every limit and timeout of the protocol, in ticks and counts (docs/STYLE.md §3.2, §3.9).
 * Validated once by {@link #validate()}, which names the offending value.
 *
 * @param electionTimeoutTicks base election timeout; the randomized timeout is drawn from
 *     [electionTimeoutTicks, 2 * electionTimeoutTicks)
 * @param heartbeatIntervalTicks leader heartbeat period
 * @param entriesPerAppendMax maximum entries in one AppendEntries
 * @param appendBytesMax maximum payload bytes in one AppendEntries (at least one entry is always sent)
 * @param inflightAppendsMax pipelining window: unacknowledged AppendEntries per follower in REPLICATE
 * @param uncommittedBytesMax leader back-pressure: proposals are rejected while the uncommitted tail
 *     exceeds this
 * @param preVote run PreVote before a real election (thesis §9.6)
 * @param checkQuorum a leader steps down if it has not heard from a quorum within an election
 *     timeout (thesis §6.2)
 */
public record RaftConfig(
    int electionTimeoutTicks,
    int heartbeatIntervalTicks,
    int entriesPerAppendMax,
    long appendBytesMax,
    int inflightAppendsMax,
    long uncommittedBytesMax,
    boolean preVote,
    boolean checkQuorum) {

  /** Defaults for a LAN cluster ticking every 100 ms: election timeout 1–2 s, heartbeat 200 ms. */
  public static RaftConfig defaults() {
    return new RaftConfig(10, 2, 512, 4L << 20, 64, 256L << 20, true, true);
  }

  public RaftConfig validate() {
    require(heartbeatIntervalTicks >= 1, "heartbeatIntervalTicks must be >= 1, got " + heartbeatIntervalTicks);
    require(
        electionTimeoutTicks > heartbeatIntervalTicks,
        "electionTimeoutTicks ("
            + electionTimeoutTicks
            + ") must be greater than heartbeatIntervalTicks ("
            + heartbeatIntervalTicks
            + ")");
    require(entriesPerAppendMax >= 1, "entriesPerAppendMax must be >= 1, got " + entriesPerAppendMax);
    require(appendBytesMax >= 1, "appendBytesMax must be >= 1, got " + appendBytesMax);
    require(inflightAppendsMax >= 1, "inflightAppendsMax must be >= 1, got " + inflightAppendsMax);
    require(uncommittedBytesMax >= 1, "uncommittedBytesMax must be >= 1, got " + uncommittedBytesMax);
    return this;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid Raft configuration: " + message);
    }
  }
}
