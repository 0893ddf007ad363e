package io.graft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * graft vs Apache Ratis, 3 members on loopback, fsync on. A command, not a test (docs/TESTING.md
 * "Benchmarks are not tests"). Each system runs in a JVM of its own, {@code --runs} times,
 * alternating (A B, B A, A B, ...), so a slow phase of a shared machine hits both; the report
 * gives the median and range over the runs, entries per fsync and CPU per entry on both sides,
 * and, at equal offered load, open-loop latency timed from each entry's intended send time.
 *
 * <p>Options: --runs N (default 5), --seconds N (measured per scenario, default 10), --warmup N
 * (per scenario, default 5), --jit-warmup N (load before the first scenario of each JVM, default
 * 20), --sizes 1024, --proposers 1,16,64 (closed loop; none for open loop only), --rates
 * 2000,5000 (open loop; none by default), --systems graft,ratis (also the graft variants
 * graft-ownersync, graft-noprealloc, graft-nolinger for same-run A/B), --heap 1g, --out FILE.md,
 * --dir DIR.
 */
public final class RaftVsRatis {
  private RaftVsRatis() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    if (opts.containsKey("child")) {
      child(opts);
      System.exit(0);
    }
    parent(opts);
    System.exit(0);
  }

  // ---- parent: one child JVM per (run, system), alternating ----

  private static void parent(Map<String, String> opts) throws Exception {
    int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
    List<String> systems = List.of(opts.getOrDefault("systems", "graft,ratis").split(","));
    Path out = Path.of(opts.getOrDefault("out", "benchmarks/target/raft-vs-ratis.md"));
    String heap = opts.getOrDefault("heap", "1g");
    List<LoadRun.Result> results = new ArrayList<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    List<String> loads = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      List<String> order = new ArrayList<>(systems);
      if (run % 2 == 0) {
        Collections.reverse(order);
      }
      for (String system : order) {
        String load = loadAverage();
        progress("run " + run + "/" + runs + ": " + system + " (load average " + load + ")");
        loads.add("run " + run + " " + system + ": " + load);
        runChild(system, opts, heap, results, descriptions);
      }
    }
    String table = Report.markdown(results, descriptions, loads, opts);
    System.out.println();
    System.out.println(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table);
    progress("wrote " + out.toAbsolutePath());
  }

  private static void runChild(
      String system,
      Map<String, String> opts,
      String heap,
      List<LoadRun.Result> results,
      Map<String, String> descriptions)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms" + heap);
    cmd.add("-Xmx" + heap);
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-Dorg.slf4j.simpleLogger.log.org.apache.ratis=error");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RaftVsRatis.class.getName());
    cmd.add("--child");
    cmd.add(system);
    for (Map.Entry<String, String> e : opts.entrySet()) {
      if (!List.of("runs", "systems", "out", "heap").contains(e.getKey())) {
        cmd.add("--" + e.getKey());
        cmd.add(e.getValue());
      }
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          results.add(parseResult(line.substring(7)));
        } else if (line.startsWith("DESCRIBE ")) {
          descriptions.put(system, line.substring(9));
        } else {
          System.out.println("  [" + system + "] " + line);
        }
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException(system + " child JVM failed with exit " + p.exitValue());
    }
  }

  // ---- child: one system, every scenario ----

  private static void child(Map<String, String> opts) throws Exception {
    String system = opts.get("child");
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "10"));
    double warmup = Double.parseDouble(opts.getOrDefault("warmup", "5"));
    double jitWarmup = Double.parseDouble(opts.getOrDefault("jit-warmup", "20"));
    int[] sizes = ints(opts.getOrDefault("sizes", "1024"));
    int[] proposers = ints(opts.getOrDefault("proposers", "1,16,64").replace("none", ""));
    double[] rates =
        Arrays.stream(opts.getOrDefault("rates", "").replace("none", "").split(","))
            .filter(s -> !s.isBlank())
            .mapToDouble(Double::parseDouble)
            .toArray();
    Path dir = Path.of(opts.getOrDefault("dir", "benchmarks/target/bench-data"));
    Files.createDirectories(dir);
    Path data = Files.createTempDirectory(dir, system + "-");
    try (BenchCluster cluster = open(system, data)) {
      System.out.println("DESCRIBE " + cluster.describe());
      if (jitWarmup > 0) {
        progress(String.format(Locale.ROOT, "JIT warm-up: %.0f s at 1 KB x 16", jitWarmup));
        LoadRun.closedLoop(cluster, 1024, 16, jitWarmup, 0.5);
      }
      for (int size : sizes) {
        for (int p : proposers) {
          report(cluster, LoadRun.closedLoop(cluster, size, p, warmup, seconds));
        }
        for (double rate : rates) {
          report(cluster, LoadRun.openLoop(cluster, size, rate, warmup, seconds));
        }
      }
    } finally {
      if (!opts.containsKey("keep-data")) {
        deleteRecursively(data); // GBs per run with 64 KB entries
      }
    }
  }

  private static void report(BenchCluster cluster, LoadRun.Result r) {
    if (!LoadRun.ERROR_KINDS.isEmpty()) {
      progress("errors by kind (incl. warm-up): " + LoadRun.ERROR_KINDS);
      LoadRun.ERROR_KINDS.clear();
    }
    progress(
        String.format(
            Locale.ROOT,
            "%s: %.0f entries/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %.1f entries/fsync,"
                + " %.0f us CPU/entry, errors %d; CPU ms by thread: %s; %s",
            r.scenario(),
            r.entriesPerSecond(),
            r.p50Millis(),
            r.p99Millis(),
            r.p999Millis(),
            r.entriesPerFsync(),
            r.cpuMicrosPerEntry(),
            r.errors(),
            LoadRun.lastThreadCpu,
            cluster.detail()));
    System.out.println(
        String.format(
            Locale.ROOT,
            "RESULT %s %s %d %d %.3f %d %.3f %.6f %.6f %.6f %d %d %d %d",
            r.system(),
            r.mode(),
            r.entryBytes(),
            r.proposers(),
            r.offeredPerSecond(),
            r.operations(),
            r.seconds(),
            r.p50Millis(),
            r.p99Millis(),
            r.p999Millis(),
            r.errors(),
            r.fsyncs(),
            r.entriesPersisted(),
            r.cpuNanos()));
    System.out.flush();
  }

  private static LoadRun.Result parseResult(String line) {
    String[] f = line.trim().split(" ");
    return new LoadRun.Result(
        f[0],
        f[1],
        Integer.parseInt(f[2]),
        Integer.parseInt(f[3]),
        Double.parseDouble(f[4]),
        Long.parseLong(f[5]),
        Double.parseDouble(f[6]),
        Double.parseDouble(f[7]),
        Double.parseDouble(f[8]),
        Double.parseDouble(f[9]),
        Long.parseLong(f[10]),
        Long.parseLong(f[11]),
        Long.parseLong(f[12]),
        Long.parseLong(f[13]));
  }

  private static BenchCluster open(String system, Path data) throws Exception {
    if (system.equals("ratis")) {
      return new RatisCluster(data);
    }
    if (system.startsWith("graft")) {
      return new GraftCluster(data, system);
    }
    throw new IllegalArgumentException("unknown system '" + system + "' (graft|ratis)");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void progress(String line) {
    System.out.println("[" + Instant.now() + "] " + line);
    System.out.flush();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
      }
      m.put(args[i].substring(2), args[++i]);
    }
    return m;
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).filter(v -> !v.isBlank()).mapToInt(Integer::parseInt)
        .toArray();
  }

  static String env() {
    return "Java "
        + System.getProperty("java.version")
        + ", "
        + Runtime.getRuntime().availableProcessors()
        + " CPUs, "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.arch");
  }
}
