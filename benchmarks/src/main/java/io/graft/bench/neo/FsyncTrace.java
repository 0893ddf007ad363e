package io.graft.bench.neo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Counts the fsync and fdatasync calls of running processes with {@code strace -f -e
 * trace=fsync,fdatasync -p PID}, by the kind of file each forced: the honest count of every
 * force, Raft log and Neo4j transaction log alike, whoever asks for it (it sees the calls the JVM
 * makes, not what the code believes it asks for). strace stops the traced threads at every such
 * call, so a traced cell is slower: only its counts are used, never its throughput. A file
 * descriptor is resolved to its file when tracing stops, so a Raft log segment rolled during the
 * window may show as "other".
 */
final class FsyncTrace implements AutoCloseable {
  private final Map<String, Process> tracers = new LinkedHashMap<>();
  private final Map<String, Path> outputs = new LinkedHashMap<>();

  /** Starts one strace per process; {@code pids} maps a label to a pid. */
  FsyncTrace(Map<String, Long> pids, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, Long> e : pids.entrySet()) {
      Path out = dir.resolve("strace-" + e.getKey().replaceAll("[^A-Za-z0-9-]", "_") + ".txt");
      Process p = new ProcessBuilder("strace", "-f", "-e", "trace=fsync,fdatasync",
          "-o", out.toString(), "-p", Long.toString(e.getValue()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      tracers.put(e.getKey(), p);
      outputs.put(e.getKey(), out);
    }
  }

  /**
   * Detaches and returns, per label, the fsync+fdatasync calls by the kind of file they forced
   * (the Raft log, Neo4j's transaction log, its checkpoint log, other files: store files at
   * checkpoints), each call's file descriptor resolved through {@code /proc/<pid>/fd} now.
   */
  Map<String, Map<String, Long>> stop(Map<String, Long> pids) throws InterruptedException {
    Map<String, Map<Integer, String>> files = new LinkedHashMap<>();
    pids.forEach((label, pid) -> files.put(label, openFiles(pid)));
    for (Process p : tracers.values()) {
      try {
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot signal strace " + p.pid(), e);
      }
    }
    Map<String, Map<String, Long>> calls = new LinkedHashMap<>();
    for (Map.Entry<String, Process> e : tracers.entrySet()) {
      if (!e.getValue().waitFor(30, TimeUnit.SECONDS)) {
        e.getValue().destroyForcibly();
      }
      calls.put(e.getKey(), parse(outputs.get(e.getKey()), files.get(e.getKey())));
    }
    tracers.clear();
    return calls;
  }

  private static final Pattern CALL = Pattern.compile("\\b(fsync|fdatasync)\\((\\d+)");

  /** Counts the traced calls by kind of file. */
  static Map<String, Long> parse(Path trace, Map<Integer, String> files) {
    Map<String, Long> byKind = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(trace)) {
        Matcher m = CALL.matcher(line);
        if (m.find() && !line.contains("resumed>")) {
          String file = files.getOrDefault(Integer.parseInt(m.group(2)), "?");
          byKind.merge(kind(file), 1L, Long::sum);
        }
      }
      return byKind;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String kind(String file) {
    if (file.contains("/raft/")) {
      return "raft-log";
    }
    if (file.contains("neostore.transaction.db")) {
      return "neo4j-tx-log";
    }
    if (file.contains("checkpoint")) {
      return "neo4j-checkpoint-log";
    }
    return "other";
  }

  private static Map<Integer, String> openFiles(long pid) {
    Map<Integer, String> out = new HashMap<>();
    Path fds = Path.of("/proc", Long.toString(pid), "fd");
    try (Stream<Path> list = Files.list(fds)) {
      list.forEach(fd -> {
        try {
          out.put(Integer.parseInt(fd.getFileName().toString()),
              Files.readSymbolicLink(fd).toString());
        } catch (IOException | NumberFormatException e) {
          // closed meanwhile
        }
      });
    } catch (IOException e) {
      // process gone
    }
    return out;
  }

  @Override
  public void close() {
    tracers.values().forEach(Process::destroyForcibly);
  }
}
