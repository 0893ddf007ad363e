package io.graft.bench.neo;

import io.graft.bench.Percentiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Values;

/**
 * Write load over Bolt: {@code clients} threads, each with its own session, runs one auto-commit
 * {@code CREATE (:Customer {id:$i})} and waits for its result before the next. Closed loop by
 * default (each client sends again as soon as its last write returned); with an offered {@code
 * rate} the clients send on a fixed schedule instead ({@link #intendedStart}): the same
 * throughput for every system compared, so CPU per transaction is compared at equal load, with
 * latency timed from each write's intended start (a late schedule counts against the server).
 * Only transactions that both start and finish inside the measurement window count, after a
 * warm-up. The same code drives the single server and the cluster's leader.
 */
final class NeoLoad {
  static final String WRITE = "CREATE (:Customer {id: $i})";

  /** One cell of the table. */
  record Result(String system, int clients, long transactions, double seconds, double p50Millis,
      double p99Millis, long errors, String errorKinds) {
    double txPerSecond() {
      return transactions / seconds;
    }
  }

  private NeoLoad() {}

  /** Throughput of each warm-up window and whether the last two agreed within the tolerance. */
  record Warmup(List<Double> windows, double seconds, boolean steady, double lastJitShare) {
    String describe() {
      List<String> w = new ArrayList<>();
      windows.forEach(t -> w.add(String.format("%.0f", t)));
      return String.format("%.0f s, windows %s tx/s, JIT %.1f%% of the servers' CPU in the last,"
              + " %s", seconds, String.join(" ", w), 100 * lastJitShare,
          steady ? "steady" : "NOT steady at the limit");
    }
  }

  /** The servers' JIT compiler threads may use at most this share of their CPU in a steady window. */
  static final double JIT_SHARE_MAX = 0.03;

  /**
   * Runs the load in windows of {@code windowSeconds} until at least {@code minSeconds} have run,
   * the last two windows' throughputs differ by at most {@code tolerance} (relative to the larger)
   * and the JIT compiler threads of the {@code servers} used at most {@link #JIT_SHARE_MAX} of
   * their CPU in the last window; or until {@code maxSeconds} have run (then not steady: reported,
   * never hidden). Throughput alone is not enough on a loaded box: a cluster member was seen still
   * compiling (JIT 0.6 ms of CPU per transaction, twice the whole single server's cost) in a window
   * whose throughput had stopped moving.
   */
  static Warmup untilSteady(String system, Driver driver, int clients, AtomicLong ids,
      double minSeconds, double windowSeconds, double tolerance, double maxSeconds,
      java.util.Collection<Long> servers) throws InterruptedException {
    List<Double> windows = new ArrayList<>();
    double ran = 0;
    while (true) {
      Map<Long, Map<Long, Object[]>> before = new java.util.HashMap<>();
      servers.forEach(pid -> before.put(pid, ThreadCpu.sample(pid)));
      Result r = run(system, driver, clients, 0, windowSeconds, ids);
      long jit = 0;
      long all = 0;
      for (long pid : servers) {
        for (Map.Entry<String, Long> g : ThreadCpu.diff(before.get(pid), ThreadCpu.sample(pid))
            .entrySet()) {
          all += g.getValue();
          jit += g.getKey().equals("jit") ? g.getValue() : 0;
        }
      }
      double jitShare = all == 0 ? 0 : jit / (double) all;
      windows.add(r.txPerSecond());
      ran += windowSeconds;
      int n = windows.size();
      boolean steady = n >= 2 && Math.abs(windows.get(n - 1) - windows.get(n - 2))
          <= tolerance * Math.max(windows.get(n - 1), windows.get(n - 2))
          && jitShare <= JIT_SHARE_MAX;
      if ((ran >= minSeconds && steady) || ran >= maxSeconds) {
        return new Warmup(List.copyOf(windows), ran, steady, jitShare);
      }
    }
  }

  static Result run(String system, Driver driver, int clients, double warmupSeconds,
      double measureSeconds, AtomicLong ids) throws InterruptedException {
    return run(system, driver, clients, warmupSeconds, measureSeconds, ids, 0, () -> {},
        () -> {});
  }

  /**
   * When client {@code client} of {@code clients} sends its {@code k}-th write (0-based) at an
   * offered {@code rate} (writes per second, all clients together) from {@code origin}: the
   * clients take turns, one write every {@code 1 / rate} seconds in all, each client every
   * {@code clients / rate}.
   */
  static long intendedStart(long origin, int client, int clients, long k, double rate) {
    return origin + Math.round((k * clients + client) * 1e9 / rate);
  }

  /**
   * As {@link #run(String, Driver, int, double, double, AtomicLong)}, at an offered {@code rate}
   * (writes per second, all clients together; 0: closed loop), calling {@code atStart} and {@code
   * atEnd} (on a timer thread) when the measurement window opens and closes, so CPU time and
   * counters can be sampled over exactly that window.
   */
  static Result run(String system, Driver driver, int clients, double warmupSeconds,
      double measureSeconds, AtomicLong ids, double rate, Runnable atStart, Runnable atEnd)
      throws InterruptedException {
    if (rate < 0 || Double.isNaN(rate)) {
      throw new IllegalArgumentException("offered rate must be >= 0 (0: closed loop), got "
          + rate);
    }
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long measureTo = measureFrom + (long) (measureSeconds * 1e9);
    Thread sampler = new Thread(() -> {
      LockSupport.parkNanos(measureFrom - System.nanoTime());
      atStart.run();
      LockSupport.parkNanos(measureTo - System.nanoTime());
      atEnd.run();
    }, "neo-window-" + system);
    sampler.setDaemon(true);
    sampler.start();
    Map<String, Long> kinds = new ConcurrentHashMap<>();
    List<Client> workers = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Client client = new Client(driver, start, measureFrom, measureTo, ids, kinds, c, clients,
          rate);
      workers.add(client);
      client.start();
    }
    long[] all = new long[0];
    List<long[]> timed = new ArrayList<>();
    long errors = 0;
    for (Client client : workers) {
      client.join(TimeUnit.SECONDS.toMillis((long) (warmupSeconds + measureSeconds) + 120));
      if (client.isAlive()) {
        throw new IllegalStateException(client.getName() + " did not finish (stuck?)");
      }
      long[] mine = Arrays.copyOf(client.latencies, client.count);
      long[] merged = Arrays.copyOf(all, all.length + mine.length);
      System.arraycopy(mine, 0, merged, all.length, mine.length);
      all = merged;
      for (int k = 0; k < client.count; k++) {
        timed.add(new long[] {client.begins[k] - measureFrom, client.latencies[k]});
      }
      errors += client.errors;
    }
    sampler.join();
    Arrays.sort(all);
    if (all.length > 0) {
      System.out.printf("[tail] %s %d clients: %s%n", system, clients,
          tail(timed, Percentiles.nanos(all, 0.99)));
    }
    return new Result(system, clients, all.length, measureSeconds, Percentiles.millis(all, 0.50),
        Percentiles.millis(all, 0.99), errors, kinds.toString());
  }

  /**
   * Where the slowest writes (at or above {@code p99} nanoseconds) fall: in how many separate
   * 100 ms windows of the measured window (by intended start), and the five worst. A few windows
   * mean the tail is a few stalls (one pause delays every write behind it); many mean it is spread.
   */
  static String tail(List<long[]> timed, long p99) {
    TreeMap<Long, Long> windows = new TreeMap<>();
    for (long[] t : timed) {
      if (t[1] >= p99) {
        windows.merge(t[0] / 100_000_000L, t[1], Math::max);
      }
    }
    StringBuilder worst = new StringBuilder();
    windows.entrySet().stream()
        .sorted(Map.Entry.<Long, Long>comparingByValue().reversed()).limit(5)
        .forEach(e -> worst.append(String.format(" %.1fs:%.1fms", e.getKey() / 10.0,
            e.getValue() / 1e6)));
    return String.format("writes >= p99 %.2f ms fall in %d of the 100 ms windows; worst:%s",
        p99 / 1e6, windows.size(), worst);
  }

  private static final class Client extends Thread {
    private final Driver driver;
    private final long origin;
    private final int id;
    private final int clients;
    /** Offered writes per second, all clients together; 0: closed loop. */
    private final double rate;
    private final long measureFrom;
    private final long measureTo;
    private final AtomicLong ids;
    private final Map<String, Long> kinds;
    long[] latencies = new long[1024];
    long[] begins = new long[1024];
    int count;
    long errors;

    Client(Driver driver, long origin, long measureFrom, long measureTo, AtomicLong ids,
        Map<String, Long> kinds, int id, int clients, double rate) {
      super("neo-client-" + id);
      setDaemon(true);
      this.driver = driver;
      this.origin = origin;
      this.id = id;
      this.clients = clients;
      this.rate = rate;
      this.measureFrom = measureFrom;
      this.measureTo = measureTo;
      this.ids = ids;
      this.kinds = kinds;
    }

    @Override
    public void run() {
      try (Session session = driver.session(SessionConfig.forDatabase("neo4j"))) {
        for (long k = 0; ; k++) {
          long begin = rate > 0 ? intendedStart(origin, id, clients, k, rate) : System.nanoTime();
          if (begin >= measureTo) {
            return;
          }
          // On schedule: wait for the intended start (behind it, send at once and catch up).
          for (long wait; (wait = begin - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
          }
          try {
            session.run(WRITE, Values.parameters("i", ids.incrementAndGet())).consume();
          } catch (RuntimeException e) {
            errors++;
            kinds.merge(e.getClass().getSimpleName(), 1L, Long::sum);
            // Do not spin on a failing server: back off 1 ms.
            LockSupport.parkNanos(1_000_000);
            continue;
          }
          long end = System.nanoTime();
          if (begin >= measureFrom && end <= measureTo) {
            if (count == latencies.length) {
              latencies = Arrays.copyOf(latencies, count * 2);
              begins = Arrays.copyOf(begins, count * 2);
            }
            begins[count] = begin;
            latencies[count++] = end - begin;
          }
        }
      }
    }
  }
}
