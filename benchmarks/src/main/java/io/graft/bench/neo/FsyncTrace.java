package io.graft.bench.neo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Counts the fsync and fdatasync calls of running processes with {@code strace -c -f -e
 * trace=fsync,fdatasync -p PID}: the honest count of every force, Raft log and Neo4j transaction
 * log alike, whoever asks for it (it sees the calls the JVM makes, not what the code believes it
 * asks for). strace stops the traced threads at every such call, so a traced cell is slower:
 * only its counts are used, never its throughput.
 */
final class FsyncTrace implements AutoCloseable {
  private final Map<String, Process> tracers = new LinkedHashMap<>();
  private final Map<String, Path> outputs = new LinkedHashMap<>();

  /** Starts one strace per process; {@code pids} maps a label to a pid. */
  FsyncTrace(Map<String, Long> pids, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, Long> e : pids.entrySet()) {
      Path out = dir.resolve("strace-" + e.getKey().replaceAll("[^A-Za-z0-9-]", "_") + ".txt");
      Process p = new ProcessBuilder("strace", "-c", "-f", "-e", "trace=fsync,fdatasync",
          "-o", out.toString(), "-p", Long.toString(e.getValue()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      tracers.put(e.getKey(), p);
      outputs.put(e.getKey(), out);
    }
  }

  /** Detaches (SIGINT makes strace print its summary) and returns fsync+fdatasync per label. */
  Map<String, Long> stop() throws InterruptedException {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (Process p : tracers.values()) {
      try {
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot signal strace " + p.pid(), e);
      }
    }
    for (Map.Entry<String, Process> e : tracers.entrySet()) {
      if (!e.getValue().waitFor(30, TimeUnit.SECONDS)) {
        e.getValue().destroyForcibly();
      }
      calls.put(e.getKey(), parse(outputs.get(e.getKey())));
    }
    tracers.clear();
    return calls;
  }

  /** The "calls" column of the fsync and fdatasync rows of strace's -c summary. */
  static long parse(Path summary) {
    try {
      long total = 0;
      List<String> lines = Files.readAllLines(summary);
      for (String line : lines) {
        String[] f = line.trim().split("\\s+");
        String name = f[f.length - 1];
        if ((name.equals("fsync") || name.equals("fdatasync")) && f.length >= 5) {
          // % time, seconds, usecs/call, calls, [errors,] syscall
          total += Long.parseLong(f[3]);
        }
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("unexpected strace summary in " + summary, e);
    }
  }

  @Override
  public void close() {
    tracers.values().forEach(Process::destroyForcibly);
  }
}
