package io.graft.it.workload;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Strikes the cluster's nemesis at a fixed interval while a workload runs and records each fault
 * in the history (as a string event). Does nothing for {@link Nemesis#NONE}. The interval is
 * capped at {@link #MAX_INTERVAL}, so a long run ({@code -Dworkload.seconds=600}) sees a fault
 * injected or undone every 15 s rather than a handful per run.
 */
final class NemesisSchedule implements AutoCloseable {
  static final Duration MAX_INTERVAL = Duration.ofSeconds(15);

  private final ScheduledExecutorService timer;

  NemesisSchedule(Cluster cluster, Duration interval, long seed, List<Object> history,
      Problems problems) {
    if (cluster.nemesis() == Nemesis.NONE) {
      timer = null;
      return;
    }
    Random rnd = new Random(seed ^ 0x5DEECE66DL);
    long every = Math.max(1, Math.min(interval.toMillis(), MAX_INTERVAL.toMillis()));
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nemesis");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> history.add("nemesis at " + System.nanoTime() + ": "
        + Runs.strike(cluster, rnd, problems)), every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops striking. A strike in progress (a restart, a wait for an election) is let finish rather
   * than interrupted half-way, which would leave a fault neither in force nor undone; the final
   * heal then starts from a known state.
   */
  @Override
  public void close() throws InterruptedException {
    if (timer != null) {
      timer.shutdown();
      if (!timer.awaitTermination(120, TimeUnit.SECONDS)) {
        timer.shutdownNow();
        timer.awaitTermination(30, TimeUnit.SECONDS);
      }
    }
  }
}
