package io.graft.bench.neo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Profiles the server processes over a measured window with the JDK's Flight Recorder
 * ({@code jcmd PID JFR.start settings=profile}, then {@code JFR.dump} and {@code JFR.stop}): one
 * recording per process and cell, for finding where a member's CPU goes (read them with {@code
 * jfr view hot-methods F} or {@code jfr print --events jdk.ExecutionSample F}). Off by default: a
 * recording costs the profiled process a little CPU.
 *
 * <p>Or, when {@code -Dgraft.bench.asyncProfiler=PATH/libasyncProfiler.so} is set (the library is
 * in Maven Central's {@code tools.profiler:async-profiler} jar, {@code linux-x64/}), async-profiler
 * loaded into each server with {@code jcmd PID JVMTI.agent_load}: CPU samples (itimer, every 1 ms
 * of CPU, Java and native frames, per thread) written as collapsed stacks {@code
 * <prefix>-<label>.collapsed}; {@link ProfileSummary} turns them into CPU ms per transaction by
 * thread group and frame. JFR's sampler suspends threads from a thread of its own, which on a
 * loaded 2-vCPU box gets few turns (tens of samples per window); a CPU-time signal samples
 * whichever thread burns the CPU.
 */
final class FlightRecorder {
  private static final String NAME = "graft-cell";
  private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

  private FlightRecorder() {}

  private static final String ASYNC = System.getProperty("graft.bench.asyncProfiler");

  static void start(Map<String, Long> pids) {
    if (ASYNC != null) {
      pids.forEach((label, pid) ->
          jcmd(pid, "JVMTI.agent_load", ASYNC, quoted("start,event=itimer,interval=1ms,threads")));
      return;
    }
    pids.forEach((label, pid) -> jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile"));
  }

  /** Dumps each recording to {@code dir/<prefix>-<label>.jfr} and stops it. */
  static void stop(Map<String, Long> pids, Path dir, String prefix) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (ASYNC != null) {
      pids.forEach((label, pid) -> {
        Path file = dir.resolve(prefix + "-" + label + ".collapsed").toAbsolutePath();
        jcmd(pid, "JVMTI.agent_load", ASYNC, quoted("stop,collapsed,file=" + file));
        System.out.println("[profile] " + label + " (pid " + pid + "): " + file);
      });
      return;
    }
    pids.forEach((label, pid) -> {
      Path file = dir.resolve(prefix + "-" + label + ".jfr").toAbsolutePath();
      jcmd(pid, "JFR.dump", "name=" + NAME, "filename=" + file);
      jcmd(pid, "JFR.stop", "name=" + NAME);
      System.out.println("[jfr] " + label + " (pid " + pid + "): " + file);
    });
  }

  /** jcmd's parser would split an unquoted agent option at its '=' signs. */
  private static String quoted(String option) {
    return "\"" + option + "\"";
  }

  private static void jcmd(long pid, String... command) {
    String[] cmd = new String[command.length + 2];
    cmd[0] = JCMD.toString();
    cmd[1] = Long.toString(pid);
    System.arraycopy(command, 0, cmd, 2, command.length);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        System.out.println("[jfr] " + String.join(" ", cmd) + " failed: " + out);
      }
    } catch (IOException e) {
      System.out.println("[jfr] jcmd failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
