package io.graft.raft.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One {@link RaftServerMain} child JVM, driven line by line; stderr goes to a log file. */
final class ServerProcess implements AutoCloseable {
  final String id;
  final Path dataDir;
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ServerProcess(String id, Path dataDir, Process process) {
    this.id = id;
    this.dataDir = dataDir;
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::pump, "stdout-" + id);
    reader.setDaemon(true);
    reader.start();
  }

  static ServerProcess start(String id, String members, Path dataDir, Path logFile, long seed)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                RaftServerMain.class.getName(),
                "--id",
                id,
                "--members",
                members,
                "--data",
                dataDir.toString(),
                "--seed",
                Long.toString(seed),
                // 100 ms ticks: twice the default election timeout. Four JVMs on two loaded
                // cores starve a leader long enough for a re-election at 50 ms, and these tests
                // drive their load through the leader they found first.
                "--tick-millis",
                "100"));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    ServerProcess p = new ServerProcess(id, dataDir, pb.start());
    String ready = p.read(Duration.ofSeconds(60));
    if (!ready.startsWith("ready")) {
      throw new IllegalStateException(id + " did not start: " + ready + " (see " + logFile + ")");
    }
    return p;
  }

  private void pump() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("error stdout closed: " + e);
    }
    lines.add("eof");
  }

  /** Sends one command and returns its one-line answer, or fails after {@code timeout}. */
  String call(String command, Duration timeout) {
    try {
      stdin.write(command + "\n");
      stdin.flush();
      return read(timeout);
    } catch (IOException e) {
      throw new IllegalStateException(id + ": cannot send '" + command + "': " + e, e);
    }
  }

  private String read(Duration timeout) {
    try {
      String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new IllegalStateException(id + ": no answer within " + timeout);
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** kill -9: no shutdown hooks, no flush, no close. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
