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
 * @param appendLingerBytes while an AppendEntries to a follower is unacknowledged, a further batch
 *     smaller than this (and than entriesPerAppendMax entries) waits for that acknowledgement and
 *     leaves with everything that accumulated meanwhile (Nagle's rule for AppendEntries: fewer,
 *     fuller messages under moderate load, at most one network hop later; a heartbeat response
 *     releases it if the acknowledgement was lost). 0 sends every batch at once.
 */
public record RaftConfig(
    int electionTimeoutTicks,
    int heartbeatIntervalTicks,
    int entriesPerAppendMax,
    long appendBytesMax,
    int inflightAppendsMax,
    long uncommittedBytesMax,
    boolean preVote,
    boolean checkQuorum,
    long appendLingerBytes) {

  /** {@code appendLingerBytes} of {@link #defaults()}. */
  public static final long APPEND_LINGER_BYTES_DEFAULT = 64 << 10;

  /** Defaults for a LAN cluster ticking every 100 ms: election timeout 1–2 s, heartbeat 200 ms. */
  public static RaftConfig defaults() {
    return new RaftConfig(
        10, 2, 512, 4L << 20, 64, 256L << 20, true, true, APPEND_LINGER_BYTES_DEFAULT);
  }

  /** Without {@code appendLingerBytes}: the default. */
  public RaftConfig(
      int electionTimeoutTicks,
      int heartbeatIntervalTicks,
      int entriesPerAppendMax,
      long appendBytesMax,
      int inflightAppendsMax,
      long uncommittedBytesMax,
      boolean preVote,
      boolean checkQuorum) {
    this(electionTimeoutTicks, heartbeatIntervalTicks, entriesPerAppendMax, appendBytesMax,
        inflightAppendsMax, uncommittedBytesMax, preVote, checkQuorum,
        APPEND_LINGER_BYTES_DEFAULT);
  }

  /** This configuration with another {@code appendLingerBytes}. */
  public RaftConfig withAppendLingerBytes(long bytes) {
    return new RaftConfig(electionTimeoutTicks, heartbeatIntervalTicks, entriesPerAppendMax,
        appendBytesMax, inflightAppendsMax, uncommittedBytesMax, preVote, checkQuorum, bytes);
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
    require(appendLingerBytes >= 0, "appendLingerBytes must be >= 0, got " + appendLingerBytes);
    return this;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid Raft configuration: " + message);
    }
  }
}
