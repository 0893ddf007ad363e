package io.graft.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop load: {@code proposers} threads, each submits one entry and waits for its own result
 * before the next. Only operations that both start and finish inside the measurement window count,
 * after a warm-up.
 */
final class LoadRun {
  /** Result of one scenario. */
  record Result(
      String system,
      int entryBytes,
      int proposers,
      long operations,
      double seconds,
      double p50Millis,
      double p99Millis,
      long errors) {
    double entriesPerSecond() {
      return operations / seconds;
    }

    double megabytesPerSecond() {
      return operations * (double) entryBytes / seconds / 1e6;
    }
  }

  /** Failure kinds across all runs (printed with the progress lines). */
  static final java.util.concurrent.ConcurrentHashMap<String, Long> ERROR_KINDS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private LoadRun() {}

  static Result run(
      BenchCluster cluster,
      int entryBytes,
      int proposers,
      double warmupSeconds,
      double measureSeconds)
      throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long measureTo = measureFrom + (long) (measureSeconds * 1e9);
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < proposers; i++) {
      Worker w = new Worker(cluster, entryBytes, measureFrom, measureTo, i);
      workers.add(w);
      w.start();
    }
    long[] all = new long[0];
    long errors = 0;
    for (Worker w : workers) {
      w.join(TimeUnit.SECONDS.toMillis((long) (warmupSeconds + measureSeconds) + 120));
      if (w.isAlive()) {
        throw new IllegalStateException("proposer " + w.getName() + " did not finish (stuck?)");
      }
      long[] mine = Arrays.copyOf(w.latencies, w.count);
      long[] merged = Arrays.copyOf(all, all.length + mine.length);
      System.arraycopy(mine, 0, merged, all.length, mine.length);
      all = merged;
      errors += w.errors;
    }
    Arrays.sort(all);
    return new Result(
        cluster.name(),
        entryBytes,
        proposers,
        all.length,
        measureSeconds,
        Percentiles.millis(all, 0.50),
        Percentiles.millis(all, 0.99),
        errors);
  }


  private static final class Worker extends Thread {
    private final BenchCluster cluster;
    private final byte[] payload;
    private final long measureFrom;
    private final long measureTo;
    long[] latencies = new long[1024];
    int count;
    long errors;

    Worker(BenchCluster cluster, int entryBytes, long measureFrom, long measureTo, int id) {
      super("proposer-" + id);
      setDaemon(true);
      this.cluster = cluster;
      this.payload = new byte[entryBytes];
      new SplittableRandom(id).nextBytes(payload);
      this.measureFrom = measureFrom;
      this.measureTo = measureTo;
    }

    @Override
    public void run() {
      while (true) {
        long begin = System.nanoTime();
        if (begin >= measureTo) {
          return;
        }
        try {
          cluster.submit(payload).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          errors++;
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          ERROR_KINDS.merge(cause.getClass().getSimpleName(), 1L, Long::sum);
          // Do not spin on a failing cluster (e.g. during an election): back off 1 ms.
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
          continue;
        }
        long end = System.nanoTime();
        if (begin >= measureFrom && end <= measureTo) {
          if (count == latencies.length) {
            latencies = Arrays.copyOf(latencies, count * 2);
          }
          latencies[count++] = end - begin;
        }
      }
    }
  }
}
