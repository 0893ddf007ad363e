package io.graft.raft.api.metrics;

import java.util.concurrent.atomic.AtomicLong;

/** A monotonic count (Prometheus counter). Thread-safe, allocation-free. */
public final class Counter {
  private final AtomicLong value = new AtomicLong();

  public void increment() {
    value.incrementAndGet();
  }

  /** Adds {@code n >= 0}. */
  public void add(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("a counter only grows, got " + n);
    }
    value.addAndGet(n);
  }

  public long get() {
    return value.get();
  }
}
