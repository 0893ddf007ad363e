package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The soak: bank, set, register and platinum at once against ONE cluster, for at least a given
 * duration and until the cluster's nemesis has injected and undone its whole plan (the caller
 * arms it, e.g. a fault every 30 s cycling through every kind). Every workload checks
 * continuously while it runs (bank's locked reads, set's pinned readers, platinum's readers) and
 * completely at the end; a progress line every 30 s shows each workload's counts and failed
 * checks so far.
 *
 * <p>The faults are the soak's, not the workloads': one schedule strikes the cluster's nemesis at
 * a fixed interval, and each workload sees a {@link Shared} nemesis whose strikes do nothing and
 * whose {@link Nemesis#finished()} is the real one's, so every workload runs until the whole plan
 * is done (plus its tail). The final heal waits until all four have stopped their clients (a
 * barrier), heals once, and only then do the workloads read their final state and compare the
 * members' digests: with no client writing, every member reaches one applied index.
 */
public final class Soak {
  /** How often a progress line is printed. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);
  /** How long the first workload at the final heal waits for the others. */
  private static final Duration BARRIER_BOUND = Duration.ofMinutes(5);

  private Soak() {}

  /**
   * Runs the four workloads concurrently against {@code cluster}, striking its nemesis every
   * {@code strikeEvery} (a strike injects the plan's next fault or undoes the one in force);
   * {@code stopFaults} is called once {@code duration} has passed (no new fault after it, the one
   * in force is undone at the next strike). Returns the results in the order bank, set, register,
   * platinum.
   *
   * @param status a line about the cluster and its faults, for the progress reports
   */
  public static List<WorkloadResult> run(Cluster cluster, Duration duration, long seed,
      Duration strikeEvery, Runnable stopFaults, Supplier<String> status,
      Consumer<String> progress) throws Exception {
    Shared shared = new Shared(cluster.nemesis(), 4);
    Cluster view = new Cluster() {
      @Override
      public List<URI> memberBoltUris() {
        return cluster.memberBoltUris();
      }

      @Override
      public URI routingUri() {
        return cluster.routingUri();
      }

      @Override
      public Nemesis nemesis() {
        return shared;
      }

      @Override
      public Map<String, String> digests() {
        return cluster.digests();
      }

      @Override
      public String toString() {
        return cluster + " (soak: faults on the soak's schedule)";
      }
    };
    List<WorkloadRun> runs = List.of(
        () -> new BankWorkload(BankWorkload.Options.defaults()).run(view, duration, seed),
        () -> new SetWorkload(SetWorkload.Options.defaults()
            .withReadPause(Duration.ofSeconds(1))).run(view, duration, seed),
        () -> new RegisterWorkload(new RegisterWorkload.Options(3, 120, 4, 1_000_000, true,
            Duration.ofMinutes(10), false)).run(view, duration, seed),
        () -> new PlatinumBatchWorkload(PlatinumBatchWorkload.Options.scaled(2_000))
            .run(view, duration, seed));
    long began = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(runs.size(), r -> {
      Thread t = new Thread(r, "soak-workload");
      t.setDaemon(true);
      return t;
    });
    ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "soak-progress");
      t.setDaemon(true);
      return t;
    });
    reporter.scheduleAtFixedRate(() -> progress.accept(report(began, duration, status)),
        PROGRESS_EVERY.toMillis(), PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    reporter.schedule(() -> {
      stopFaults.run();
      progress.accept("[soak] " + (duration.toMinutes() > 0 ? duration.toMinutes() + " min"
          : duration.toSeconds() + " s") + " passed; the workloads stop once the fault schedule is done");
    }, duration.toMillis(), TimeUnit.MILLISECONDS);
    Problems scheduleProblems = new Problems();
    List<Object> scheduleHistory = new ArrayList<>();
    List<WorkloadResult> results = new ArrayList<>();
    try (NemesisSchedule faults = new NemesisSchedule(cluster, strikeEvery, seed,
        scheduleHistory, scheduleProblems)) {
      List<Future<WorkloadResult>> futures = new ArrayList<>();
      for (WorkloadRun run : runs) {
        futures.add(pool.submit(run::call));
      }
      for (Future<WorkloadResult> f : futures) {
        results.add(f.get());
      }
    } finally {
      reporter.shutdownNow();
      pool.shutdownNow();
    }
    progress.accept(report(began, duration, status));
    for (String p : scheduleProblems.list()) {
      progress.accept("[soak] fault schedule problem: " + p);
    }
    if (!scheduleProblems.list().isEmpty()) {
      throw new AssertionError("the soak's fault schedule failed: " + scheduleProblems.list());
    }
    return results;
  }

  /** One workload run. */
  private interface WorkloadRun {
    WorkloadResult call() throws Exception;
  }

  private static String report(long began, Duration duration, Supplier<String> status) {
    long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
    StringBuilder line = new StringBuilder(String.format("[soak] %d:%02d of %d:%02d; %s",
        s / 60, s % 60, duration.toMinutes(), duration.toSecondsPart(), status.get()));
    for (String run : RunState.progress()) {
      line.append("\n[soak]   ").append(run);
    }
    return line.toString();
  }

  /**
   * What each workload sees of the soak's nemesis: strikes do nothing (the soak's schedule
   * strikes the real one), {@link #finished()} is the real one's, and {@link #heal()} is a
   * barrier: the last of the parties to arrive heals the real nemesis once, the others wait for
   * that (bounded; past the bound the first to time out heals).
   */
  static final class Shared implements Nemesis {
    private final Nemesis real;
    private final int parties;
    private final AtomicInteger arrived = new AtomicInteger();
    private final AtomicBoolean healing = new AtomicBoolean();
    private final CompletableFuture<Void> healed = new CompletableFuture<>();

    Shared(Nemesis real, int parties) {
      this.real = real;
      this.parties = parties;
    }

    @Override
    public String strike(Random rnd) {
      return "none (the soak's schedule strikes; in force now: " + real.inForce() + ")";
    }

    @Override
    public boolean finished() {
      return real.finished();
    }

    @Override
    public String inForce() {
      return real.inForce();
    }

    @Override
    public void heal() throws Exception {
      if (arrived.incrementAndGet() < parties) {
        try {
          healed.get(BARRIER_BOUND.toMillis(), TimeUnit.MILLISECONDS);
          return;
        } catch (java.util.concurrent.TimeoutException e) {
          // a workload never arrived (it failed): heal without it
        }
      }
      if (healing.compareAndSet(false, true)) {
        try {
          real.heal();
          healed.complete(null);
        } catch (Exception e) {
          healed.completeExceptionally(e);
          throw e;
        }
      } else {
        healed.get(BARRIER_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }
}
