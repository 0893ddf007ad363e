package io.graft.it.workload;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Strikes the cluster's nemesis at a fixed interval while a workload runs and records each fault
 * in the history (as a string event). Does nothing for {@link Nemesis#NONE}.
 */
final class NemesisSchedule implements AutoCloseable {

  private final ScheduledExecutorService timer;

  NemesisSchedule(Cluster cluster, Duration interval, long seed, List<Object> history,
      Problems problems) {
    if (cluster.nemesis() == Nemesis.NONE) {
      timer = null;
      return;
    }
    Random rnd = new Random(seed ^ 0x5DEECE66DL);
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nemesis");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> history.add("nemesis at " + System.nanoTime() + ": "
        + Runs.strike(cluster, rnd, problems)), interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (timer != null) {
      timer.shutdownNow();
      timer.awaitTermination(60, TimeUnit.SECONDS);
    }
  }
}
