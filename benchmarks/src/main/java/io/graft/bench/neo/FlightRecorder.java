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
 */
final class FlightRecorder {
  private static final String NAME = "graft-cell";
  private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

  private FlightRecorder() {}

  static void start(Map<String, Long> pids) {
    pids.forEach((label, pid) -> jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile"));
  }

  /** Dumps each recording to {@code dir/<prefix>-<label>.jfr} and stops it. */
  static void stop(Map<String, Long> pids, Path dir, String prefix) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    pids.forEach((label, pid) -> {
      Path file = dir.resolve(prefix + "-" + label + ".jfr").toAbsolutePath();
      jcmd(pid, "JFR.dump", "name=" + NAME, "filename=" + file);
      jcmd(pid, "JFR.stop", "name=" + NAME);
      System.out.println("[jfr] " + label + " (pid " + pid + "): " + file);
    });
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
