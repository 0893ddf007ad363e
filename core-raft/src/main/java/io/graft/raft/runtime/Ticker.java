package io.graft.raft.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The only wall clock of a node: posts one tick to the inbox every {@code tickMillis}
 * (docs/STYLE.md §3.2: time is a tick). Milliseconds become ticks only in {@link #toTicks}.
 */
final class Ticker implements AutoCloseable {
  private final ScheduledExecutorService executor;
  private final long tickMillis;
  private final Inbox inbox;

  Ticker(String name, long tickMillis, Inbox inbox) {
    if (tickMillis < 1) {
      throw new IllegalArgumentException("tickMillis must be >= 1, got " + tickMillis);
    }
    this.tickMillis = tickMillis;
    this.inbox = inbox;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    executor.scheduleAtFixedRate(inbox::postTick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
  }

  /** Converts a duration to whole ticks, rounding up so a timeout is never shorter than asked. */
  static int toTicks(long millis, long tickMillis) {
    if (millis < 0 || tickMillis < 1) {
      throw new IllegalArgumentException("millis=" + millis + " tickMillis=" + tickMillis);
    }
    return (int) Math.max(1, (millis + tickMillis - 1) / tickMillis);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
