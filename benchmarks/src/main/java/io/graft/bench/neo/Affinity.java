package io.graft.bench.neo;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * CPU pinning with {@code taskset -a -p -c}: every thread of a running process, and (inherited)
 * every thread it starts afterwards. The pinned mode is the closest this 2-vCPU box gets to each
 * member having its own machine: the leader alone on CPU 0, its followers and the client on CPU 1
 * (the single server alone on CPU 0, the client on CPU 1).
 */
final class Affinity {
  static final String ALL = "0-" + (Runtime.getRuntime().availableProcessors() - 1);

  private Affinity() {}

  /** Pins every thread of {@code pid} to {@code cpus} (taskset list syntax, e.g. "0" or "0-1"). */
  static void pin(long pid, String cpus) {
    try {
      Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("taskset not available (util-linux)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** This benchmark JVM (the client). */
  static long self() {
    return ProcessHandle.current().pid();
  }
}
