package io.graft.raft.protocol.membership;

/**
 * Catching a new server up in rounds before it may vote (thesis §4.2.1). Each round replicates up
 * to the leader's last index at the round's start; when a round finishes within {@code
 * roundTicksMax} (an election timeout) the learner is close enough to be promoted, because the
 * remaining gap costs less than one election timeout of unavailability. The learner fails after
 * {@code roundsMax} rounds (NOT_CAUGHT_UP) or when its match index does not move for {@code
 * stallTicksMax} (UNREACHABLE if it was never heard from). Pure: time is in ticks.
 */
public final class CatchUpRounds {
  /** The thesis and Neo4j 3.x both use 10 rounds. */
  public static final int ROUNDS_MAX = 10;

  /** A learner whose match index stalls this many election timeouts is given up. */
  public static final int STALL_ELECTION_TIMEOUTS = 3;

  /** What the leader should do after an observation. */
  public enum Verdict {
    CATCHING_UP,
    CAUGHT_UP,
    NOT_CAUGHT_UP,
    UNREACHABLE
  }

  private final int roundTicksMax;
  private final int roundsMax;
  private final int stallTicksMax;
  private int round = 1;
  private long roundTarget;
  private long roundStart;
  private long lastMatch = -1;
  private long lastProgressTick;

  public CatchUpRounds(
      long leaderLastIndex, long now, int roundTicksMax, int roundsMax, int stallTicksMax) {
    this.roundTarget = leaderLastIndex;
    this.roundStart = now;
    this.lastProgressTick = now;
    this.roundTicksMax = roundTicksMax;
    this.roundsMax = roundsMax;
    this.stallTicksMax = stallTicksMax;
  }

  /**
   * @param matchIndex the learner's match index as the leader knows it
   * @param heard whether the leader ever heard from the learner
   * @param leaderLastIndex the leader's last index now (the next round's target)
   * @param now the current tick
   */
  public Verdict observe(long matchIndex, boolean heard, long leaderLastIndex, long now) {
    if (lastMatch < 0) {
      lastMatch = matchIndex; // the baseline: where the learner stood when catch-up began
    } else if (matchIndex > lastMatch) {
      lastMatch = matchIndex;
      lastProgressTick = now;
    }
    if (matchIndex >= roundTarget) {
      if (now - roundStart <= roundTicksMax) {
        return Verdict.CAUGHT_UP;
      }
      if (round >= roundsMax) {
        return Verdict.NOT_CAUGHT_UP;
      }
      round++;
      roundStart = now;
      roundTarget = leaderLastIndex;
      return Verdict.CATCHING_UP;
    }
    if (now - lastProgressTick > stallTicksMax) {
      return heard ? Verdict.NOT_CAUGHT_UP : Verdict.UNREACHABLE;
    }
    return Verdict.CATCHING_UP;
  }

  /**
   * Progress that the match index cannot show: the learner is receiving a snapshot (thesis §5.3),
   * so its match index stays put until the install is done. Resets the stall clock only.
   */
  public void progressed(long now) {
    lastProgressTick = Math.max(lastProgressTick, now);
  }

  public int round() {
    return round;
  }

  public long roundTarget() {
    return roundTarget;
  }

  @Override
  public String toString() {
    return "round " + round + "/" + roundsMax + " to " + roundTarget + " (match " + lastMatch + ")";
  }
}
