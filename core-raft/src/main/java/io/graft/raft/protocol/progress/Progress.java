package io.graft.raft.protocol.progress;

/**
 * The leader's view of one follower (Figure 2 "volatile state on leaders": nextIndex, matchIndex)
 * plus the flow-control state of etcd-io/raft: PROBE/REPLICATE, the in-flight window and activity
 * for CheckQuorum. Mutated only by the leader's step logic.
 */
public final class Progress {
  private long matchIndex;
  private long nextIndex;
  private ProgressState state = ProgressState.PROBE;
  private boolean probeSent;
  private final Inflights inflights;
  private boolean recentActive;
  private long lastContactTick = -1;
  /** SNAPSHOT only: the index of the snapshot being sent, and ticks since it last progressed. */
  private long pendingSnapshotIndex;
  private int snapshotTicks;
  /** The highest commit index told to this follower by a CommitNotice. */
  private long commitNotified;

  public Progress(long nextIndex, int inflightsMax) {
    this.nextIndex = nextIndex;
    this.inflights = new Inflights(inflightsMax);
  }

  public long matchIndex() {
    return matchIndex;
  }

  public long nextIndex() {
    return nextIndex;
  }

  public ProgressState state() {
    return state;
  }

  public Inflights inflights() {
    return inflights;
  }

  public boolean probeSent() {
    return probeSent;
  }

  public boolean recentActive() {
    return recentActive;
  }

  public long lastContactTick() {
    return lastContactTick;
  }

  public long commitNotified() {
    return commitNotified;
  }

  public void commitNotified(long commitIndex) {
    commitNotified = Math.max(commitNotified, commitIndex);
  }

  public void markActive(long tick) {
    recentActive = true;
    lastContactTick = tick;
  }

  public void clearActive() {
    recentActive = false;
  }

  /**
   * PROBE sends one message and waits; REPLICATE pipelines until the window is full; SNAPSHOT waits
   * for the snapshot.
   */
  public boolean isPaused() {
    switch (state) {
      case PROBE:
        return probeSent;
      case REPLICATE:
        return inflights.full();
      default:
        return true;
    }
  }

  /** Raises matchIndex on a successful AppendEntries response; false when stale or duplicated. */
  public boolean maybeUpdate(long index) {
    boolean updated = index > matchIndex;
    if (updated) {
      matchIndex = index;
      probeSent = false;
    }
    nextIndex = Math.max(nextIndex, index + 1);
    return updated;
  }

  /** In REPLICATE the leader assumes a sent batch arrives and moves nextIndex past it at once. */
  public void optimisticUpdate(long lastSentIndex) {
    nextIndex = lastSentIndex + 1;
  }

  public void setProbeSent() {
    probeSent = true;
  }

  /** After a rejection: probe from {@code next}, which must stay above matchIndex. */
  public void becomeProbe(long next) {
    if (next <= matchIndex) {
      throw new IllegalStateException("nextIndex " + next + " <= matchIndex " + matchIndex);
    }
    state = ProgressState.PROBE;
    pendingSnapshotIndex = 0;
    nextIndex = next;
    probeSent = false;
    inflights.reset();
  }

  /** After a successful probe: the match is known, start pipelining right after it. */
  public void becomeReplicate() {
    state = ProgressState.REPLICATE;
    pendingSnapshotIndex = 0;
    nextIndex = matchIndex + 1;
    probeSent = false;
    inflights.reset();
  }

  /**
   * The entries the follower needs were compacted away: it gets the snapshot at {@code
   * snapshotIndex} (thesis §5.3); nothing else is sent to it until the transfer settles.
   */
  public void becomeSnapshot(long snapshotIndex) {
    state = ProgressState.SNAPSHOT;
    pendingSnapshotIndex = snapshotIndex;
    snapshotTicks = 0;
    probeSent = false;
    inflights.reset();
  }

  public long pendingSnapshotIndex() {
    return pendingSnapshotIndex;
  }

  /** One tick of a transfer; returns the ticks since it last progressed. */
  public int tickSnapshot() {
    return ++snapshotTicks;
  }

  /** A chunk was acknowledged: the transfer is alive. */
  public void snapshotProgressed() {
    snapshotTicks = 0;
  }

  @Override
  public String toString() {
    return state
        + "{match="
        + matchIndex
        + " next="
        + nextIndex
        + " inflight="
        + inflights.count()
        + (probeSent ? " probeSent" : "")
        + (state == ProgressState.SNAPSHOT ? " snapshot=" + pendingSnapshotIndex : "")
        + "}";
  }
}
