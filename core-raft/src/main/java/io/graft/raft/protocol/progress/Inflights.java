package io.graft.raft.protocol.progress;

/**
 * Bounded window of unacknowledged AppendEntries to one follower in REPLICATE (pipelining, thesis
 * §10.2.2). Each slot holds the last index carried by one message; acknowledging index i frees
 * every message whose last index is {@code <= i}.
 */
public final class Inflights {
  private final long[] lastIndexes;
  private int start;
  private int count;

  public Inflights(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("inflight capacity must be >= 1, got " + capacity);
    }
    this.lastIndexes = new long[capacity];
  }

  public int capacity() {
    return lastIndexes.length;
  }

  public int count() {
    return count;
  }

  public boolean full() {
    return count == lastIndexes.length;
  }

  /** Records one more message in flight; its last index must exceed the previous one. */
  public void add(long lastIndex) {
    if (full()) {
      throw new IllegalStateException("inflight window full (" + count + ")");
    }
    if (count > 0 && lastIndexes[(start + count - 1) % lastIndexes.length] >= lastIndex) {
      throw new IllegalStateException("inflight indexes must increase, got " + lastIndex);
    }
    lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
    count++;
  }

  /** Frees every message whose last index is {@code <= index} (they were acknowledged). */
  public void freeUpTo(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      start = (start + 1) % lastIndexes.length;
      count--;
    }
  }

  /**
   * Frees the oldest slot (a heartbeat response proves the follower is alive; etcd does the same).
   */
  public void freeFirstOne() {
    if (count > 0) {
      start = (start + 1) % lastIndexes.length;
      count--;
    }
  }

  public void reset() {
    start = 0;
    count = 0;
  }
}
