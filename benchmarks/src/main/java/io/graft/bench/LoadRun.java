package io.graft.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One scenario against a cluster, after a warm-up: closed loop ({@code proposers} threads, each
 * submits one entry and waits for its own result before the next; only operations that start and
 * finish inside the window count) or open loop (entries offered at a fixed rate whatever the
 * cluster does; each latency is timed from the entry's <em>intended</em> send time, so a stall
 * counts against every entry it delays). Over the window it also samples the cluster's fsync and
 * entry counters and this process's CPU time.
 */
final class LoadRun {
  /** In-flight bound of the open loop: beyond it the pacer waits (and the wait counts). */
  private static final int OPEN_LOOP_INFLIGHT_MAX = 20_000;

  /** Result of one scenario. */
  record Result(
      String system,
      String mode,
      int entryBytes,
      int proposers,
      double offeredPerSecond,
      long operations,
      double seconds,
      double p50Millis,
      double p99Millis,
      double p999Millis,
      long errors,
      long fsyncs,
      long entriesPersisted,
      long cpuNanos) {
    double entriesPerSecond() {
      return operations / seconds;
    }

    double entriesPerFsync() {
      return fsyncs <= 0 ? Double.NaN : (double) entriesPersisted / fsyncs;
    }

    double cpuMicrosPerEntry() {
      return operations == 0 ? Double.NaN : cpuNanos / 1e3 / operations;
    }

    /** The scenario's key: same for the same scenario of every system. */
    String scenario() {
      return mode.equals("closed")
          ? entryBytes + " B x " + proposers + " proposers"
          : entryBytes + " B at " + (long) offeredPerSecond + "/s offered";
    }
  }

  /** Failure kinds across all runs (printed with the progress lines). */
  static final java.util.concurrent.ConcurrentHashMap<String, Long> ERROR_KINDS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private LoadRun() {}

  /** Counters sampled at the start and end of the window. */
  private record Sample(long fsyncs, long entries, long cpuNanos, Map<String, Long> threads) {
    static Sample of(BenchCluster cluster) {
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      return new Sample(cluster.fsyncs(), cluster.entriesPersisted(), os.getProcessCpuTime(),
          threadCpu());
    }
  }

  /** The last window's CPU by thread group (ms), for the progress line. */
  static volatile String lastThreadCpu = "";

  /** CPU nanoseconds of the live threads, summed by role (graft's and Ratis' thread names). */
  private static Map<String, Long> threadCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new TreeMap<>();
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long cpu = mx.getThreadCpuTime(t.getThreadId());
      if (cpu > 0) {
        out.merge(group(t.getThreadName()), cpu, Long::sum);
      }
    }
    return out;
  }

  private static String group(String name) {
    if (name.startsWith("graft-net-")) {
      return "netty";
    }
    if (name.startsWith("graft-raft-")) {
      return "owner";
    }
    if (name.startsWith("graft-log-sync")) {
      return "fsync";
    }
    if (name.startsWith("graft-apply")) {
      return "apply";
    }
    if (name.startsWith("proposer") || name.startsWith("main")) {
      return "load";
    }
    if (name.startsWith("graft-")) {
      return "graft-other";
    }
    return "other";
  }

  private static String threadDelta(Map<String, Long> before, Map<String, Long> after) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Long> e : after.entrySet()) {
      long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
          .append(d / 1_000_000);
    }
    return sb.toString();
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  static Result closedLoop(
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
    sleepUntil(measureFrom);
    Sample before = Sample.of(cluster);
    sleepUntil(measureTo);
    Sample after = Sample.of(cluster);
    lastThreadCpu = threadDelta(before.threads(), after.threads());
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
        "closed",
        entryBytes,
        proposers,
        0,
        all.length,
        measureSeconds,
        Percentiles.millis(all, 0.50),
        Percentiles.millis(all, 0.99),
        Percentiles.millis(all, 0.999),
        errors,
        after.fsyncs() - before.fsyncs(),
        after.entries() - before.entries(),
        after.cpuNanos() - before.cpuNanos());
  }

  /**
   * Offers {@code perSecond} entries per second from one pacer thread (asynchronous submissions)
   * for the warm-up and the window; entries intended inside the window count, each timed from its
   * intended send time to its completion.
   */
  static Result openLoop(
      BenchCluster cluster,
      int entryBytes,
      double perSecond,
      double warmupSeconds,
      double measureSeconds)
      throws InterruptedException {
    byte[] payload = new byte[entryBytes];
    new SplittableRandom(7).nextBytes(payload);
    long periodNanos = (long) (1e9 / perSecond);
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long measureTo = measureFrom + (long) (measureSeconds * 1e9);
    AtomicInteger inflight = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    long[][] samples = {new long[1 << 16]};
    int[] count = {0};
    Sample before = null;
    for (long i = 0; ; i++) {
      long intended = start + i * periodNanos;
      if (intended >= measureTo) {
        break;
      }
      if (before == null && intended >= measureFrom) {
        before = Sample.of(cluster);
      }
      sleepUntil(intended);
      while (inflight.get() >= OPEN_LOOP_INFLIGHT_MAX) {
        LockSupport.parkNanos(50_000);
      }
      inflight.incrementAndGet();
      boolean measured = intended >= measureFrom;
      cluster
          .submit(payload)
          .whenComplete(
              (r, e) -> {
                long end = System.nanoTime();
                inflight.decrementAndGet();
                if (e != null) {
                  errors.incrementAndGet();
                  Throwable cause = e.getCause() != null ? e.getCause() : e;
                  ERROR_KINDS.merge(cause.getClass().getSimpleName(), 1L, Long::sum);
                  return;
                }
                if (measured) {
                  synchronized (samples) {
                    if (count[0] == samples[0].length) {
                      samples[0] = Arrays.copyOf(samples[0], count[0] * 2);
                    }
                    samples[0][count[0]++] = end - intended;
                  }
                }
              });
    }
    sleepUntil(measureTo);
    Sample after = Sample.of(cluster);
    if (before != null) {
      lastThreadCpu = threadDelta(before.threads(), after.threads());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (inflight.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    long[] all;
    synchronized (samples) {
      all = Arrays.copyOf(samples[0], count[0]);
    }
    Arrays.sort(all);
    if (before == null) {
      before = after;
    }
    return new Result(
        cluster.name(),
        "open",
        entryBytes,
        0,
        perSecond,
        all.length,
        measureSeconds,
        Percentiles.millis(all, 0.50),
        Percentiles.millis(all, 0.99),
        Percentiles.millis(all, 0.999),
        errors.get() + inflight.get(),
        after.fsyncs() - before.fsyncs(),
        after.entries() - before.entries(),
        after.cpuNanos() - before.cpuNanos());
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
          LockSupport.parkNanos(1_000_000);
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
