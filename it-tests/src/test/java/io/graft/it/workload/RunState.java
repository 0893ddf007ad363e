package io.graft.it.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mutable state of one workload run, shared by its client threads. Runs in progress are listed
 * in {@link #progress()} (by name), so a long run such as the soak can report as it goes.
 */
final class RunState {
  private static final Map<String, RunState> RUNNING = new ConcurrentHashMap<>();
  final String name;
  final Problems problems = new Problems();
  final List<Object> history = Collections.synchronizedList(new ArrayList<>());
  final Map<String, Object> stats = new ConcurrentHashMap<>();
  final Clients clients = Clients.create();
  final AtomicLong ok = new AtomicLong();
  /** Acknowledged writes only (a subset of {@link #ok}): reads succeed without a leader. */
  final AtomicLong writesOk = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong unknown = new AtomicLong();
  final long seed;
  final long startNanos = System.nanoTime();

  RunState(String name, long seed) {
    this.name = name;
    this.seed = seed;
    RUNNING.put(name, this);
  }

  /** One line per workload run in progress: its counts so far and how many checks failed. */
  static List<String> progress() {
    List<String> lines = new ArrayList<>();
    new TreeMap<>(RUNNING).forEach((name, run) -> lines.add(String.format(
        "%s: ok=%d (writes %d) failed=%d unknown=%d problems=%d", name, run.ok.get(),
        run.writesOk.get(), run.failed.get(), run.unknown.get(), run.problems.list().size())));
    return lines;
  }

  /** Counts an operation whose effect is unknown; a statement error is also a problem. */
  String unknown(Exception e) {
    if (OpOutcome.isWorkloadBug(e)) {
      problems.add("workload statement failed: " + OpOutcome.describe(e));
    }
    unknown.incrementAndGet();
    return "unknown: " + OpOutcome.describe(e);
  }

  void count(String stat) {
    stats.merge(stat, 1L, (a, b) -> (Long) a + (Long) b);
  }

  WorkloadResult result(String workload, Map<String, String> digests) {
    RUNNING.remove(name, this);
    List<Object> events;
    synchronized (history) {
      events = List.copyOf(history);
    }
    return new WorkloadResult(workload, seed, Duration.ofNanos(System.nanoTime() - startNanos),
        ok.get(), failed.get(), unknown.get(), events, problems.list(), digests,
        Map.copyOf(stats));
  }
}
