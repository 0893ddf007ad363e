package io.graft.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One Neo4j server JVM started straight from {@code CommunityEntryPoint} (one JVM, no launcher;
 * docs/RUNNING-NEO4J.md). Readiness is the {@code Started.} line that this start adds to
 * {@code logs/neo4j.log}; console output goes to {@code logs/console.log}.
 */
public final class ServerProcess {
  /** How long a SIGSTOP/SIGCONT may take to show in /proc before it counts as failed. */
  private static final Duration SIGNAL_EFFECT = Duration.ofSeconds(10);
  /** The flags the tarball's launcher would pass, which a Maven-assembled server lacks. */
  static final List<String> JVM_FLAGS = List.of(
      "-XX:-OmitStackTraceInFastThrow",
      "-Dio.netty.tryReflectionSetAccessible=true",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "-Dlog4j2.disable.jmx=true");
  /**
   * Quick-start flags for tests: ~2.5x lower throughput, never benchmark with them. Quick starts
   * also map Neo4j's classes from a {@link NeoClassArchive}.
   */
  static final List<String> FAST_START_FLAGS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** The java launcher of this JVM's JDK, which every server runs on. */
  static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** Every flag a quick (test) start passes before the home's own: what its archive is for. */
  public static List<String> quickStartFlags() {
    List<String> flags = new ArrayList<>(JVM_FLAGS);
    flags.addAll(FAST_START_FLAGS);
    return flags;
  }

  private final NeoHome home;
  private final Path lib;
  private final boolean fastStart;
  private final boolean detached;
  private volatile long pid = -1;
  private volatile Process process;
  private long logOffsetAtStart;
  private long debugOffsetAtStart;

  /**
   * @param detached start in a new session ({@code setsid}) so the server outlives the CLI and
   *     its terminal's Ctrl-C
   */
  public ServerProcess(NeoHome home, Path lib, boolean fastStart, boolean detached) {
    this.home = home;
    this.lib = lib.toAbsolutePath().normalize();
    this.fastStart = fastStart;
    this.detached = detached;
  }

  public NeoHome home() {
    return home;
  }

  public long pid() {
    return pid;
  }

  /** Adopts a server started earlier (by another JVM) from its pid file. */
  public boolean adopt() {
    Optional<Long> recorded = readPidFile();
    if (recorded.isPresent() && ProcessHandle.of(recorded.get()).map(ProcessHandle::isAlive)
        .orElse(false)) {
      pid = recorded.get();
      return true;
    }
    return false;
  }

  public boolean isAlive() {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Launches the JVM and returns at once; see {@link #awaitStarted}. */
  public void start() {
    if (isAlive()) {
      throw new IllegalStateException(home.spec().name() + " is already running, pid " + pid);
    }
    try {
      logOffsetAtStart = Files.exists(home.neo4jLog()) ? Files.size(home.neo4jLog()) : 0;
      debugOffsetAtStart = Files.exists(debugLog()) ? Files.size(debugLog()) : 0;
      ProcessBuilder builder = new ProcessBuilder(command())
          .directory(home.dir().toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(home.consoleLog().toFile()));
      process = builder.start();
      pid = process.pid();
      Files.writeString(home.pidFile(), Long.toString(pid));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + home.spec().name(), e);
    }
  }

  List<String> command() {
    List<String> cmd = new ArrayList<>();
    if (detached) {
      // setsid execs in place (the child is not a group leader), so the pid stays the JVM's.
      cmd.add("setsid");
    }
    cmd.add(java().toString());
    cmd.addAll(JVM_FLAGS);
    Optional<Path> archive = Optional.empty();
    if (fastStart) {
      cmd.addAll(FAST_START_FLAGS);
      archive = NeoClassArchive.forQuickStarts(lib, System.out::println);
      archive.ifPresent(a -> cmd.add("-XX:SharedArchiveFile=" + a));
    }
    cmd.addAll(additionalJvmFlags());
    cmd.add("-cp");
    // The launcher's order (plugins, conf, lib), except with a class data archive, which the
    // JVM takes only when the class path begins with the archive's (lib alone).
    cmd.add(archive.isPresent()
        ? lib + "/*:" + home.plugins() + "/*:" + home.conf() + "/*"
        : home.plugins() + "/*:" + home.conf() + "/*:" + lib + "/*");
    cmd.add("org.neo4j.server.CommunityEntryPoint");
    cmd.add("--home-dir=" + home.dir());
    cmd.add("--config-dir=" + home.conf());
    return cmd;
  }

  /**
   * The {@code server.jvm.additional} lines of the home's {@code neo4j.conf}, which Neo4j's
   * launcher would pass to the JVM (heap flags, JFR, system properties).
   */
  private List<String> additionalJvmFlags() {
    Path conf = home.conf().resolve("neo4j.conf");
    if (!Files.exists(conf)) {
      return List.of();
    }
    String prefix = NeoHome.JVM_ADDITIONAL + "=";
    try {
      return Files.readAllLines(conf).stream().map(String::trim)
          .filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).trim())
          .filter(f -> !f.isEmpty()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + conf, e);
    }
  }

  /**
   * Waits until this start logged {@code Started.}; fails early if the process dies.
   *
   * @param progress receives a line about every 5 s
   */
  public void awaitStarted(Duration timeout, Consumer<String> progress) {
    awaitAll(List.of(this), timeout, progress);
  }

  /**
   * Waits for several servers started together, with one progress line for all of them about
   * every 5 s; fails as soon as one dies or the timeout passes, with that member's log tail.
   */
  public static void awaitAll(List<ServerProcess> servers, Duration timeout,
      Consumer<String> progress) {
    long startNanos = System.nanoTime();
    long[] nextReport = {startNanos + TimeUnit.SECONDS.toNanos(5)};
    // Checked on Awaitility's thread, read here after a timeout.
    List<ServerProcess> pending = new java.util.concurrent.CopyOnWriteArrayList<>(servers);
    try {
      Waits.until("servers started", timeout, Duration.ofMillis(200), () -> {
        pending.removeIf(ServerProcess::startedSinceLaunch);
        for (ServerProcess server : pending) {
          if (!server.isAlive()) {
            throw new ServerStartException(server.home().spec().name()
                + " exited during start-up", server);
          }
        }
        long now = System.nanoTime();
        if (!pending.isEmpty() && now > nextReport[0]) {
          StringBuilder line = new StringBuilder(String.format("  %3d s:",
              TimeUnit.NANOSECONDS.toSeconds(now - startNanos)));
          for (ServerProcess server : servers) {
            line.append(' ').append(server.home().spec().name())
                .append(pending.contains(server) ? " starting" : " started").append(';');
          }
          progress.accept(line.substring(0, line.length() - 1));
          nextReport[0] = now + TimeUnit.SECONDS.toNanos(5);
        }
        return pending.isEmpty();
      }, started -> started);
    } catch (IllegalStateException timedOut) {
      throw new ServerStartException(pending.get(0).home().spec().name()
          + " did not log 'Started.' within " + timeout.toSeconds() + " s", pending.get(0));
    }
  }

  boolean startedSinceLaunch() {
    return logSince(home.neo4jLog(), logOffsetAtStart).contains(" Started.");
  }

  /**
   * The first line of this start's debug.log saying that a database failed to start (Neo4j keeps
   * a failed database down; the usual cause is a plugin refusing to start), if any.
   */
  public Optional<String> databaseFailure() {
    String fresh = logSince(debugLog(), debugOffsetAtStart);
    int at = fresh.indexOf("[o.n.d.d.DatabaseLifecycles] Failed to start");
    if (at < 0) {
      return Optional.empty();
    }
    int lineStart = fresh.lastIndexOf('\n', at) + 1;
    int lineEnd = fresh.indexOf('\n', at);
    return Optional.of(fresh.substring(lineStart, lineEnd < 0 ? fresh.length() : lineEnd));
  }

  private Path debugLog() {
    return home.logs().resolve("debug.log");
  }

  private static String logSince(Path log, long offset) {
    try {
      if (!Files.exists(log) || Files.size(log) <= offset) {
        return "";
      }
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGTERM, a bounded wait for a clean shutdown, then SIGKILL. */
  public void stop(Duration grace) {
    if (!isAlive()) {
      return;
    }
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    signal("CONT"); // a paused JVM cannot handle SIGTERM
    handle.destroy();
    if (!waitForExit(handle, grace)) {
      handle.destroyForcibly();
      waitForExit(handle, Duration.ofSeconds(10));
    }
  }

  /** SIGKILL: the crash-stop failure, no shutdown hooks, nothing flushed. */
  public void kill9() {
    ProcessHandle.of(pid).ifPresent(handle -> {
      handle.destroyForcibly();
      waitForExit(handle, Duration.ofSeconds(10));
    });
  }

  /**
   * SIGSTOP: the process stays alive with its sockets open but does nothing (a GC-pause model).
   * Returns once /proc shows it stopped: the signal is delivered asynchronously, and on a busy
   * machine a caller checking right after {@code kill} could still see it running.
   */
  public void pause() {
    signal("STOP");
    awaitStopped(true);
  }

  /** SIGCONT; returns once /proc no longer shows the process stopped. */
  public void resume() {
    signal("CONT");
    awaitStopped(false);
  }

  private void awaitStopped(boolean stopped) {
    try {
      Waits.until("pid " + pid + (stopped ? " stopped" : " running"), SIGNAL_EFFECT,
          Duration.ofMillis(10), () -> !isAlive() || isPaused() == stopped, done -> done);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("pid " + pid + " is not "
          + (stopped ? "stopped" : "running") + " " + SIGNAL_EFFECT.toSeconds()
          + " s after the signal (state " + procState() + ")", e);
    }
  }

  /** True while the process is stopped by SIGSTOP ({@code T} in /proc). */
  public boolean isPaused() {
    return procState() == 'T';
  }

  /** The process state letter from /proc (R, S, T = stopped, ...), or '?' if unknown. */
  public char procState() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (IOException | RuntimeException e) {
      return '?';
    }
  }

  private void signal(String name) {
    if (!isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + pid, e);
    }
  }

  private static boolean waitForExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private Optional<Long> readPidFile() {
    try {
      return Optional.of(Long.parseLong(Files.readString(home.pidFile()).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The last lines of neo4j.log, debug.log and console.log, for error messages. */
  public String logTail(int lines) {
    StringBuilder out = new StringBuilder();
    for (Path log : List.of(home.neo4jLog(), home.logs().resolve("debug.log"), home.consoleLog())) {
      out.append("---- ").append(log).append(" (last ").append(lines).append(" lines)\n");
      out.append(tail(log, lines));
    }
    return out.toString();
  }

  /** The last ERROR lines and causes of {@code debug.log}: why a member is not serving. */
  public List<String> recentErrors(int max) {
    List<String> hits = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(home.logs().resolve("debug.log"),
          StandardCharsets.UTF_8)) {
        if (line.contains(" ERROR ") || line.startsWith("Caused by:")) {
          hits.add(line.length() > 400 ? line.substring(0, 400) + "..." : line);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
    return hits.subList(Math.max(0, hits.size() - max), hits.size());
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
    } catch (IOException | UncheckedIOException e) {
      return "(not readable: " + e.getMessage() + ")\n";
    }
  }
}
