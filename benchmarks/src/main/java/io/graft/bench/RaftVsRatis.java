package io.graft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * graft vs Apache Ratis, 3 members on loopback, fsync on, in ONE run: entries of 16 B / 1 KB / 64
 * KB with 1 / 16 / 64 closed-loop proposers. A command, not a test (docs/TESTING.md "Benchmarks are
 * not tests"). Options: --seconds N (measure per scenario, default 10), --warmup N (default 3),
 * --sizes 16,1024,65536, --proposers 1,16,64, --systems graft,ratis (graft-tls: graft with mutual
 * TLS on every link; with graft in the same run the table adds TLS/plaintext ratios), --out
 * FILE.md, --dir DIR.
 */
public final class RaftVsRatis {
  private RaftVsRatis() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "10"));
    double warmup = Double.parseDouble(opts.getOrDefault("warmup", "3"));
    int[] sizes = ints(opts.getOrDefault("sizes", "16,1024,65536"));
    int[] proposers = ints(opts.getOrDefault("proposers", "1,16,64"));
    List<String> systems = Arrays.asList(opts.getOrDefault("systems", "graft,ratis").split(","));
    Path out = Path.of(opts.getOrDefault("out", "benchmarks/target/raft-vs-ratis.md"));
    Path dir = Path.of(opts.getOrDefault("dir", "benchmarks/target/bench-data"));
    Files.createDirectories(dir);

    List<LoadRun.Result> results = new ArrayList<>();
    List<String> descriptions = new ArrayList<>();
    for (String system : systems) {
      Path data = Files.createTempDirectory(dir, system + "-");
      try {
        try (BenchCluster cluster = open(system, data)) {
          descriptions.add(cluster.describe());
          progress("started " + cluster.describe());
          for (int size : sizes) {
            for (int p : proposers) {
              progress(
                  String.format(
                      Locale.ROOT,
                      "%s: %d B x %d proposers (%.0fs warm-up + %.0fs)...",
                      system,
                      size,
                      p,
                      warmup,
                      seconds));
              LoadRun.ERROR_KINDS.clear();
              LoadRun.Result r = LoadRun.run(cluster, size, p, warmup, seconds);
              if (!LoadRun.ERROR_KINDS.isEmpty()) {
                progress("  errors by kind (incl. warm-up): " + LoadRun.ERROR_KINDS);
              }
              results.add(r);
              progress(
                  String.format(
                      Locale.ROOT,
                      "  %.0f entries/s, %.2f MB/s, p50 %.2f ms, p99 %.2f ms," + " errors %d",
                      r.entriesPerSecond(),
                      r.megabytesPerSecond(),
                      r.p50Millis(),
                      r.p99Millis(),
                      r.errors()));
            }
          }
        }
      } finally {
        if (!opts.containsKey("keep-data")) {
          deleteRecursively(data); // GBs per run with 64 KB entries
        }
      }
    }
    String table = Report.markdown(results, descriptions, seconds, warmup);
    System.out.println();
    System.out.println(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table);
    progress("wrote " + out.toAbsolutePath());
    System.exit(0);
  }

  private static BenchCluster open(String system, Path data) throws Exception {
    switch (system) {
      case "ratis":
        return new RatisCluster(data);
      case "graft":
        return new GraftCluster(data);
      case "graft-tls":
        return new GraftCluster(data, true);
      default:
        throw new IllegalArgumentException("unknown system '" + system
            + "' (graft|graft-tls|ratis)");
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
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
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  static String env() throws IOException {
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
