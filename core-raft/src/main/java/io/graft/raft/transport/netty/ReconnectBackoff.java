package io.graft.raft.transport.netty;

import java.util.random.RandomGenerator;

/**
 * Exponential back-off with "equal jitter": the n-th consecutive failure waits a uniform delay in
 * [d/2, d] where d = min(max, min * 2^n). Jitter keeps members that lost a peer at the same moment
 * from redialling in lock-step. Not thread-safe: used on one peer's event loop.
 */
final class ReconnectBackoff {
  private final long minMillis;
  private final long maxMillis;
  private final RandomGenerator random;
  private long currentMillis;

  ReconnectBackoff(long minMillis, long maxMillis, RandomGenerator random) {
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
    this.random = random;
    this.currentMillis = minMillis;
  }

  long nextDelayMillis() {
    long base = currentMillis;
    currentMillis = Math.min(maxMillis, currentMillis * 2);
    long half = base / 2;
    return half + random.nextLong(base - half + 1);
  }

  void reset() {
    currentMillis = minMillis;
  }
}
