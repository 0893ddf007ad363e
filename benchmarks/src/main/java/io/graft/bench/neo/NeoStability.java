package io.graft.bench.neo;

import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * Elections that no fault caused: {@code clients} threads write {@code (:Customer)} nodes back to
 * back to the leader for a while, with no fault at all, while a monitor reads every member's
 * {@code raft.status()} each second and records every change of term or leader. With PreVote and
 * CheckQuorum on, a term change here is an election some stall (GC pause, starved thread, slow
 * disk) caused: the count must be zero for the election timeout to be a sound default.
 */
final class NeoStability {
  /** What the run saw. */
  record Result(Duration duration, int clients, long writes, long errors, long startTerm,
      long endTerm, List<String> changes, String loadBefore, String loadAfter) {
    void appendTo(StringBuilder sb) {
      sb.append(String.format(Locale.ROOT,
          "## Stability: %d clients for %.1f min, no fault%n%n"
              + "%d writes acknowledged (%.0f tx/s), %d failed; term %d at the start, %d at the"
              + " end: **%d term changes** (elections no fault caused), %d changes of term or"
              + " leader seen in all. Load average before/after: %s / %s.%n%n",
          clients, duration.toMillis() / 60_000.0, writes, writes * 1000.0 / duration.toMillis(),
          errors, startTerm, endTerm, endTerm - startTerm, changes.size(), loadBefore,
          loadAfter));
      for (String c : changes) {
        sb.append("* ").append(c).append('\n');
      }
      sb.append('\n');
    }
  }

  private final LocalCluster cluster;
  private final int clients;
  private final Consumer<String> progress;
  private final AtomicLong ids;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile int target;

  NeoStability(LocalCluster cluster, int clients, Consumer<String> progress, AtomicLong ids) {
    this.cluster = cluster;
    this.clients = clients;
    this.progress = progress;
    this.ids = ids;
  }

  Result run(Duration duration) throws Exception {
    target = cluster.awaitLeader();
    String loadBefore = NeoFailoverMain.loadAverage();
    long[] terms = new long[cluster.size() + 1];
    String[] leaders = new String[cluster.size() + 1];
    long startTerm = readStatuses(terms, leaders, new ArrayList<>(), Instant.now());
    List<String> changes = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int i = 0; i < clients; i++) {
      pool.submit(this::writeLoop);
    }
    long started = System.nanoTime();
    long end = started + duration.toNanos();
    long nextReport = started + TimeUnit.SECONDS.toNanos(30);
    long maxTerm = startTerm;
    try {
      while (System.nanoTime() < end) {
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        maxTerm = Math.max(maxTerm, readStatuses(terms, leaders, changes, Instant.now()));
        if (System.nanoTime() >= nextReport) {
          nextReport += TimeUnit.SECONDS.toNanos(30);
          progress.accept(String.format(Locale.ROOT,
              "[stability] %.0f s: %d writes, %d errors, term %d, %d changes (loadavg %s)",
              (System.nanoTime() - started) / 1e9, writes.get(), errors.get(), maxTerm,
              changes.size(), NeoFailoverMain.loadAverage()));
        }
      }
    } finally {
      running.set(false);
      pool.shutdown();
      pool.awaitTermination(2, TimeUnit.MINUTES);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    maxTerm = Math.max(maxTerm, readStatuses(terms, leaders, changes, Instant.now()));
    return new Result(took, clients, writes.get(), errors.get(), startTerm, maxTerm, changes,
        loadBefore, NeoFailoverMain.loadAverage());
  }

  /** Reads every member's term and leader, notes changes; returns the highest term seen. */
  private long readStatuses(long[] terms, String[] leaders, List<String> changes, Instant now) {
    long max = 0;
    for (int m = 1; m <= cluster.size(); m++) {
      Optional<Map<String, Object>> row = cluster.probe().status(m);
      if (row.isEmpty()) {
        changes.add(now + " member-" + m + " did not answer raft.status()");
        continue;
      }
      long term = ((Number) row.get().get("term")).longValue();
      String leader = String.valueOf(row.get().get("leader"));
      if (terms[m] != 0 && (term != terms[m] || !leader.equals(leaders[m]))) {
        changes.add(now + " member-" + m + ": term " + terms[m] + " -> " + term + ", leader "
            + leaders[m] + " -> " + leader);
      }
      terms[m] = term;
      leaders[m] = leader;
      max = Math.max(max, term);
      if ("LEADER".equals(row.get().get("role"))) {
        target = m;
      }
    }
    return max;
  }

  private void writeLoop() {
    while (running.get()) {
      int member = target;
      try (Session session = cluster.probe().session(member)) {
        while (running.get() && member == target) {
          session.run(NeoLoad.WRITE, Values.parameters("i", ids.incrementAndGet())).consume();
          writes.incrementAndGet();
        }
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }
}
