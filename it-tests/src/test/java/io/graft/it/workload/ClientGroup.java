package io.graft.it.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs client loops concurrently until a deadline, an operation budget, or {@link #stop()}. Each
 * client gets its own {@link Random} derived from the run seed, so a run's choices replay from the
 * seed (the interleaving, being real concurrency, does not).
 */
final class ClientGroup implements AutoCloseable {

  /** One step of a client: performs one operation; returns false to end this client. */
  interface Step {
    boolean run(int client, Random rnd) throws Exception;
  }

  private final ExecutorService pool;
  private final List<Future<?>> futures = new ArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicLong opsLeft;
  private final long deadlineNanos;
  private final long seed;
  private final Problems problems;

  ClientGroup(String name, int threads, Duration duration, long maxOps, long seed,
      Problems problems) {
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-client");
      t.setDaemon(true);
      return t;
    });
    this.deadlineNanos = System.nanoTime() + duration.toNanos();
    this.opsLeft = new AtomicLong(maxOps);
    this.seed = seed;
    this.problems = problems;
  }

  /** Starts client number {@code client} running {@code step} repeatedly. */
  void start(int client, Step step) {
    Random rnd = new Random(seed * 31 + client);
    futures.add(pool.submit(() -> {
      while (!stopped.get() && System.nanoTime() < deadlineNanos
          && opsLeft.getAndDecrement() > 0) {
        try {
          if (!step.run(client, rnd)) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          problems.add("client " + client + " crashed: " + e);
          return;
        }
      }
    }));
  }

  boolean running() {
    return !stopped.get() && System.nanoTime() < deadlineNanos && opsLeft.get() > 0;
  }

  void stop() {
    stopped.set(true);
  }

  /** Waits for every client to finish its current operation; reports clients that hang. */
  void awaitAll(Duration grace) throws InterruptedException {
    long end = System.nanoTime() + Math.max(0, deadlineNanos - System.nanoTime())
        + grace.toNanos();
    for (Future<?> f : futures) {
      try {
        f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        problems.add("a client did not finish within " + grace.toSeconds() + " s of the deadline");
        f.cancel(true);
      } catch (java.util.concurrent.ExecutionException e) {
        problems.add("client failed: " + e.getCause());
      }
    }
  }

  @Override
  public void close() {
    stop();
    pool.shutdownNow();
  }
}
