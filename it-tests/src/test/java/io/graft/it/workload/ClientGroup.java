package io.graft.it.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs client loops concurrently. Each client gets its own {@link Random} derived from the run
 * seed, so a run's choices replay from the seed (the interleaving, being real concurrency, does
 * not).
 *
 * <p>How long the clients run depends on the cluster's {@link Nemesis}:
 * <ul>
 *   <li>without a fault plan ({@link Nemesis#finished()} from the start: one stock server):
 *       until the duration or the operation budget is used up, whichever comes first;</li>
 *   <li>with a fault plan: at least the duration, and in any case until the nemesis has injected
 *       AND undone every planned fault, then for a tail of load on the healed cluster (at least
 *       {@link #TAIL} and {@link #TAIL_WRITES} acknowledged writes, bounded by
 *       {@link #TAIL_BOUND}). The operation budget does not end such a run: a fast workload that
 *       finished its operations before the first fault struck once made a CI run prove nothing
 *       (and fail its "a fault was injected" check).</li>
 * </ul>
 */
final class ClientGroup implements AutoCloseable {
  /** Minimum load after the last fault was undone. */
  static final Duration TAIL = Duration.ofSeconds(2);
  /** Writes that must be acknowledged after the last fault was undone. */
  static final long TAIL_WRITES = 10;
  /** A healed cluster that acknowledges fewer writes than that within this is a problem. */
  static final Duration TAIL_BOUND = Duration.ofSeconds(60);
  /** How long a fault plan may take beyond the duration before the run gives up on it. */
  static final Duration SCHEDULE_BOUND = Duration.ofMinutes(10);

  /** One step of a client: performs one operation; returns false to end this client. */
  interface Step {
    boolean run(int client, Random rnd) throws Exception;
  }

  private final ExecutorService pool;
  private final List<Future<?>> futures = new ArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicLong opsLeft;
  private final long startNanos = System.nanoTime();
  private final long deadlineNanos;
  private final RunState run;
  private final Nemesis nemesis;
  private final boolean faultPlan;

  ClientGroup(String name, int threads, Duration duration, long maxOps, RunState run,
      Nemesis nemesis) {
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-client");
      t.setDaemon(true);
      return t;
    });
    this.deadlineNanos = startNanos + duration.toNanos();
    this.opsLeft = new AtomicLong(maxOps);
    this.run = run;
    this.nemesis = nemesis;
    this.faultPlan = !nemesis.finished();
  }

  /** Starts client number {@code client} running {@code step} repeatedly. */
  void start(int client, Step step) {
    Random rnd = new Random(run.seed * 31 + client);
    futures.add(pool.submit(() -> {
      while (running()) {
        try {
          if (!step.run(client, rnd)) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          run.problems.add("client " + client + " crashed: " + e);
          return;
        }
      }
    }));
  }

  /** With a fault plan only {@link #stop()} (called by {@link #awaitAll}) ends the clients. */
  private boolean running() {
    if (stopped.get()) {
      return false;
    }
    if (faultPlan) {
      return true;
    }
    return System.nanoTime() < deadlineNanos && opsLeft.getAndDecrement() > 0;
  }

  void stop() {
    stopped.set(true);
    stopping.countDown();
  }

  /**
   * A client's back-off after a failed operation: returns after {@code pause} or as soon as the
   * run stops, whichever comes first (a wait on the run's end, bounded, not a sleep).
   */
  void backOff(Duration pause) throws InterruptedException {
    stopping.await(pause.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Returns when the run is over (see the class comment) and every client finished its current
   * operation; reports clients that hang beyond {@code grace}, a fault plan that never finished
   * and a healed cluster that acknowledged no writes.
   */
  void awaitAll(Duration grace) throws InterruptedException {
    if (faultPlan) {
      awaitFaultsAndTail();
      stop();
    }
    long end = System.nanoTime() + (faultPlan ? 0 : Math.max(0, deadlineNanos - System.nanoTime()))
        + grace.toNanos();
    for (Future<?> f : futures) {
      try {
        f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        run.problems.add("a client did not finish within " + grace.toSeconds()
            + " s of the end of the run");
        f.cancel(true);
      } catch (java.util.concurrent.ExecutionException e) {
        run.problems.add("client failed: " + e.getCause());
      }
    }
  }

  private void awaitFaultsAndTail() throws InterruptedException {
    long giveUp = deadlineNanos + SCHEDULE_BOUND.toNanos();
    while (!nemesis.finished() || System.nanoTime() < deadlineNanos) {
      if (System.nanoTime() > giveUp) {
        run.problems.add("the fault plan did not finish within " + SCHEDULE_BOUND.toMinutes()
            + " min of the run's duration");
        return;
      }
      poll();
    }
    long healedAt = System.nanoTime();
    long writesAtHeal = run.writesOk.get();
    run.stats.put("secondsToHeal", TimeUnit.NANOSECONDS.toSeconds(healedAt - startNanos));
    long tailEnd = healedAt + TAIL.toNanos();
    long tailGiveUp = healedAt + TAIL_BOUND.toNanos();
    while (System.nanoTime() < tailEnd || run.writesOk.get() - writesAtHeal < TAIL_WRITES) {
      if (System.nanoTime() > tailGiveUp) {
        run.problems.add("only " + (run.writesOk.get() - writesAtHeal) + " writes acknowledged in "
            + TAIL_BOUND.toSeconds() + " s after the last fault was undone (expected "
            + TAIL_WRITES + ")");
        break;
      }
      poll();
    }
    run.stats.put("writesAfterHeal", run.writesOk.get() - writesAtHeal);
  }

  private static void poll() throws InterruptedException {
    // A bounded wait between checks of the run's end condition, not a sleep in a test's logic.
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  @Override
  public void close() {
    stop();
    pool.shutdownNow();
  }
}
