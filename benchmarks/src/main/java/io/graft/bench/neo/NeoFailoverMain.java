package io.graft.bench.neo;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.cluster.PluginJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failover of a 3-member graft cluster of real Neo4j 5.26 servers, on its own: {@code --trials N}
 * kill -9 trials ({@link NeoFailover}: kill of the leader to the first acknowledged write), then
 * optionally {@code --stability-minutes M} of load at {@code --clients C} with no fault ({@link
 * NeoStability}: every election and leader change counted). The Raft settings under test are the
 * plugin's defaults unless {@code --settings key=value,key=value} overrides them (e.g. {@code
 * server.raft.election_timeout=1s}). Writes a Markdown report ({@code --out}).
 *
 * <p>{@code benchmarks/run-neo4j-failover.sh [--trials 20] [--stability-minutes 10] [--clients 64]
 * [--settings ...] [--heap 1g] [--page-cache 256m] [--dir D] [--out F]}
 */
public final class NeoFailoverMain {
  private NeoFailoverMain() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = parse(argv);
    int trials = Integer.parseInt(args.getOrDefault("trials", "20"));
    double stabilityMinutes = Double.parseDouble(args.getOrDefault("stability-minutes", "0"));
    int clients = Integer.parseInt(args.getOrDefault("clients", "64"));
    Map<String, String> settings = settings(args.getOrDefault("settings", ""));
    Path dir = Path.of(args.getOrDefault("dir", "benchmarks/target/neo4j-failover-"
        + System.currentTimeMillis())).toAbsolutePath();
    Path lib = Path.of(args.getOrDefault("lib", "local-cluster/target/neo4j-lib"))
        .toAbsolutePath();
    Path plugin = Path.of(args.getOrDefault("plugin", "plugin/target/graft-plugin.jar"))
        .toAbsolutePath();
    Path out = Path.of(args.getOrDefault("out", "benchmarks/target/neo4j-failover.md"));
    String heap = args.getOrDefault("heap", "1g");
    String pageCache = args.getOrDefault("page-cache", "256m");
    PluginJar.problem(plugin).ifPresent(p -> {
      throw new IllegalStateException(p);
    });
    StringBuilder report = new StringBuilder("# graft failover (3 Neo4j 5.26 servers)\n\n");
    report.append("Command: `benchmarks/run-neo4j-failover.sh");
    args.forEach((k, v) -> report.append(" --").append(k).append(' ').append(v));
    report.append("`, started ").append(Instant.now()).append(", heap ").append(heap)
        .append(", page cache ").append(pageCache).append(". Raft settings: ")
        .append(settings.isEmpty() ? "the plugin's defaults" : settings).append(".\n\n");
    ClusterOptions options = new ClusterOptions(3, dir, lib, plugin, false, false, false, heap,
        pageCache, settings, Duration.ofSeconds(300), Duration.ofSeconds(120),
        line -> System.out.println("[cluster] " + line));
    try (LocalCluster cluster = LocalCluster.start(options)) {
      AtomicLong ids = new AtomicLong();
      if (trials > 0) {
        String load = loadAverage();
        List<NeoFailover.Trial> results =
            new NeoFailover(cluster, System.out::println, ids).run(trials);
        failoverTable(report, results, load, loadAverage());
      }
      if (stabilityMinutes > 0) {
        NeoStability.Result r = new NeoStability(cluster, clients, System.out::println, ids)
            .run(Duration.ofMillis((long) (stabilityMinutes * 60_000)));
        r.appendTo(report);
      }
    }
    String text = report.toString();
    System.out.println();
    System.out.println(text);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, text);
    System.out.println("[report] written to " + out);
  }

  private static void failoverTable(StringBuilder sb, List<NeoFailover.Trial> trials,
      String loadBefore, String loadAfter) {
    List<Long> millis = new ArrayList<>();
    for (NeoFailover.Trial t : trials) {
      millis.add(t.firstAckMillis());
    }
    List<Long> sorted = new ArrayList<>(millis);
    sorted.sort(null);
    sb.append(String.format(Locale.ROOT,
        "## Failover: kill -9 of the leader to the first acknowledged write%n%n"
            + "%d trials: median **%d ms**, p90 %d ms, p99 %d ms (nearest rank), min %d ms, max"
            + " %d ms. Load average before/after: %s / %s.%n%n",
        sorted.size(), rank(sorted, 0.5), rank(sorted, 0.9), rank(sorted, 0.99), sorted.get(0),
        sorted.get(sorted.size() - 1), loadBefore, loadAfter));
    sb.append("| trial | killed | new leader | first ack ms | agreed leader seen ms |\n")
        .append("|---:|---:|---:|---:|---:|\n");
    for (NeoFailover.Trial t : trials) {
      sb.append(String.format(Locale.ROOT, "| %d | member-%d | member-%d | %d | %d |%n",
          t.number(), t.killed(), t.newLeader(), t.firstAckMillis(), t.agreedMillis()));
    }
    sb.append('\n');
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  static long rank(List<Long> sorted, double q) {
    int i = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
    return sorted.get(Math.max(0, i));
  }

  private static Map<String, String> settings(String csv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : csv.split(",")) {
      if (kv.isBlank()) {
        continue;
      }
      int eq = kv.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("--settings expects key=value pairs, got: " + kv);
      }
      out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    return out;
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + argv[i]);
      }
      args.put(argv[i].substring(2), argv[++i]);
    }
    return args;
  }
}
