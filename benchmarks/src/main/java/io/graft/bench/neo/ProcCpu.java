package io.graft.bench.neo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from {@code /proc/<pid>/stat}: user + system time of all its threads
 * (fields 14 and 15, in clock ticks). Machine-independent enough to compare processes on one box:
 * CPU milliseconds per committed transaction does not depend on how many cores share the load.
 */
final class ProcCpu {
  /** {@code getconf CLK_TCK}: 100 on Linux (USER_HZ); read once. */
  private static final long TICKS_PER_SECOND = ticksPerSecond();

  private ProcCpu() {}

  /** utime + stime of {@code pid} in milliseconds. */
  static long cpuMillis(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String line = Files.readString(stat);
      // The command name (field 2) is in parentheses and may hold spaces: split after it.
      String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state): utime is field 14, stime field 15.
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1000 / TICKS_PER_SECOND;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + stat, e);
    }
  }

  private static long ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
