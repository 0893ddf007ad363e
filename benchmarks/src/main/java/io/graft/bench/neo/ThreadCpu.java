package io.graft.bench.neo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of a process by thread group, from {@code /proc/<pid>/task/<tid>/{comm,stat}}: where a
 * member's CPU goes (Bolt workers running the queries and waiting commits, Bolt network I/O,
 * graft's apply thread, its Raft owner and transport threads, GC, JIT, the rest). Two samples
 * around a window give each group's share; threads that ended inside the window are missed
 * (Neo4j's and graft's hot threads live for the whole run).
 *
 * <p>Also each thread's switch-ins ({@code /proc/<pid>/task/<tid>/schedstat}, third field: the
 * times the scheduler put it on a CPU): per committed transaction, how many times each group was
 * woken, a machine-independent count of the hand-offs a write makes (every wake-up costs the
 * futex, the scheduler and, on a shared core, the cache the other process left behind).
 *
 * <p>And each thread's migrations ({@code /proc/<pid>/task/<tid>/sched}, {@code
 * se.nr_migrations}: the times the scheduler moved it to another CPU, where it resumes without
 * its cache), the software counter closest to what this VM's missing hardware counters would
 * show about threads that park and resume on another core; and how often each was preempted
 * ({@code nr_involuntary_switches}: taken off a CPU while it could still run, the price of
 * sharing a CPU with another runnable thread).
 */
final class ThreadCpu {
  private static final long TICKS_PER_SECOND = 100;

  private ThreadCpu() {}

  /**
   * Thread id -> {group, cpu ms, switch-ins, migrations, preemptions} (the last three -1 when the
   * kernel does not expose them).
   */
  static Map<Long, Object[]> sample(long pid) {
    Map<Long, Object[]> out = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> list = Files.list(tasks)) {
      list.forEach(task -> {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
          long[] sched = schedCounters(task);
          out.put(Long.parseLong(task.getFileName().toString()),
              new Object[] {group(comm), ms, switchIns(task), sched[0], sched[1]});
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      });
    } catch (IOException e) {
      // the process ended
    }
    return out;
  }

  private static long switchIns(Path task) {
    try {
      String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
      return Long.parseLong(f[2]);
    } catch (IOException | RuntimeException e) {
      return -1; // a kernel without schedstat, or the thread ended
    }
  }

  /** {se.nr_migrations, nr_involuntary_switches}, each -1 when not readable. */
  private static long[] schedCounters(Path task) {
    long[] out = {-1, -1};
    try {
      for (String line : Files.readAllLines(task.resolve("sched"))) {
        if (line.startsWith("se.nr_migrations")) {
          out[0] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        } else if (line.startsWith("nr_involuntary_switches")) {
          out[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // a kernel without CONFIG_SCHED_DEBUG, or the thread ended
    }
    return out;
  }

  /** CPU ms per group between two samples (threads present in the second). */
  static Map<String, Long> diff(Map<Long, Object[]> before, Map<Long, Object[]> after) {
    return diff(before, after, 1);
  }

  /**
   * Switch-ins per group between two samples (threads present in the second); empty when a
   * sample could not read schedstat.
   */
  static Map<String, Long> switches(Map<Long, Object[]> before, Map<Long, Object[]> after) {
    return counted(before, after, 2);
  }

  /**
   * Migrations to another CPU per group between two samples (threads present in the second);
   * empty when a sample could not read them.
   */
  static Map<String, Long> migrations(Map<Long, Object[]> before, Map<Long, Object[]> after) {
    return counted(before, after, 3);
  }

  /**
   * Preemptions per group between two samples (threads present in the second); empty when a
   * sample could not read them.
   */
  static Map<String, Long> preemptions(Map<Long, Object[]> before, Map<Long, Object[]> after) {
    return counted(before, after, 4);
  }

  private static Map<String, Long> counted(Map<Long, Object[]> before,
      Map<Long, Object[]> after, int field) {
    for (Object[] v : after.values()) {
      if ((Long) v[field] < 0) {
        return Map.of();
      }
    }
    return diff(before, after, field);
  }

  private static Map<String, Long> diff(Map<Long, Object[]> before, Map<Long, Object[]> after,
      int field) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach((tid, v) -> {
      Object[] b = before.get(tid);
      long was = b == null || (Long) b[field] < 0 ? 0 : (Long) b[field];
      out.merge((String) v[0], (Long) v[field] - was, Long::sum);
    });
    out.values().removeIf(n -> n == 0);
    return out;
  }

  /** Name prefix -> group, first match wins (the catch-alls come after the specific ones). */
  private static final Map<String, String> PREFIXES = new LinkedHashMap<>();

  static {
    PREFIXES.put("neo4j.BoltWorke", "bolt-worker");
    PREFIXES.put("neo4j.BoltNetwo", "bolt-io");
    PREFIXES.put("graft-apply", "graft-apply");
    PREFIXES.put("graft-snapshot", "graft-snapshot");
    PREFIXES.put("graft-log-sync", "graft-fsync"); // the Raft log's group sync
    PREFIXES.put("graft-raft", "graft-raft"); // the owner thread, when it has one of its own
    PREFIXES.put("graft-net", "graft-net"); // the transport's event loop (and the owner on it)
    PREFIXES.put("graft-", "graft-other");
    PREFIXES.put("GC ", "gc");
    PREFIXES.put("G1 ", "gc");
    PREFIXES.put("C1 ", "jit");
    PREFIXES.put("C2 ", "jit");
    PREFIXES.put("neo4j.", "neo4j-other");
  }

  /** A thread's group from its (15-character) Linux name. */
  static String group(String comm) {
    for (Map.Entry<String, String> p : PREFIXES.entrySet()) {
      if (comm.startsWith(p.getKey())) {
        return p.getValue();
      }
    }
    return "jvm-other";
  }
}
