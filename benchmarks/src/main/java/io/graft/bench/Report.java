package io.graft.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Formats the results of all runs as Markdown: per scenario and system the median over the runs
 * with the range in brackets, then the ratios of the medians (first system over second).
 */
final class Report {
  private Report() {}

  static String markdown(
      List<LoadRun.Result> results,
      Map<String, String> descriptions,
      List<String> loads,
      Map<String, String> opts) {
    StringBuilder sb =
        new StringBuilder("# graft vs Apache Ratis (3 members, loopback, fsync on)\n\n");
    sb.append("Command: `benchmarks/run-raft-vs-ratis.sh");
    opts.forEach((k, v) -> sb.append(" --").append(k).append(' ').append(v));
    sb.append("` (").append(RaftVsRatis.env()).append(").\n\n");
    sb.append(
        "Each system runs in its own JVM per run, the runs alternate between the systems;"
            + " figures are the median over the runs with [min-max]. Closed loop: each proposer"
            + " waits for its own entry. Open loop: entries offered at a fixed rate, latency"
            + " from the intended send time. CPU is the whole JVM's (3 members + load) per"
            + " committed entry; entries/fsync counts every member's log.\n\n");
    for (Map.Entry<String, String> d : descriptions.entrySet()) {
      sb.append("* ").append(d.getValue()).append('\n');
    }
    sb.append("\nLoad average (1/5/15 min) before each run: ")
        .append(String.join("; ", loads))
        .append(".\n");

    Map<String, Map<String, List<LoadRun.Result>>> byScenario = new LinkedHashMap<>();
    List<String> systems = new ArrayList<>();
    for (LoadRun.Result r : results) {
      byScenario
          .computeIfAbsent(r.mode() + "|" + r.scenario(), k -> new LinkedHashMap<>())
          .computeIfAbsent(r.system(), k -> new ArrayList<>())
          .add(r);
      if (!systems.contains(r.system())) {
        systems.add(r.system());
      }
    }
    systems.sort(null); // graft before graft-ownersync before ratis

    sb.append("\n## Closed loop\n\n")
        .append("| scenario | system | runs | entries/s | p50 ms | p99 ms | entries/fsync |")
        .append(" CPU µs/entry | errors |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    rows(sb, byScenario, "closed|", false);
    sb.append("\n## Open loop (equal offered load)\n\n")
        .append("| scenario | system | runs | achieved/s | p50 ms | p99 ms | p99.9 ms |")
        .append(" entries/fsync | CPU µs/entry | errors |\n")
        .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    rows(sb, byScenario, "open|", true);

    if (systems.size() >= 2) {
      String a = systems.get(0);
      for (String b : systems.subList(1, systems.size())) {
        sb.append("\n## ").append(a).append(" / ").append(b).append(" (ratio of medians)\n\n")
            .append("| scenario | entries/s | p50 | p99 | p99.9 | CPU/entry |\n")
            .append("|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, List<LoadRun.Result>>> e : byScenario.entrySet()) {
          List<LoadRun.Result> ra = e.getValue().get(a);
          List<LoadRun.Result> rb = e.getValue().get(b);
          if (ra == null || rb == null) {
            continue;
          }
          sb.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |%n",
                  ra.get(0).scenario(),
                  median(ra, LoadRun.Result::entriesPerSecond)
                      / median(rb, LoadRun.Result::entriesPerSecond),
                  median(ra, LoadRun.Result::p50Millis) / median(rb, LoadRun.Result::p50Millis),
                  median(ra, LoadRun.Result::p99Millis) / median(rb, LoadRun.Result::p99Millis),
                  median(ra, LoadRun.Result::p999Millis)
                      / median(rb, LoadRun.Result::p999Millis),
                  median(ra, LoadRun.Result::cpuMicrosPerEntry)
                      / median(rb, LoadRun.Result::cpuMicrosPerEntry)));
        }
      }
    }
    return sb.toString();
  }

  private static void rows(
      StringBuilder sb,
      Map<String, Map<String, List<LoadRun.Result>>> byScenario,
      String prefix,
      boolean open) {
    for (Map.Entry<String, Map<String, List<LoadRun.Result>>> e : byScenario.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      List<String> systems = new ArrayList<>(e.getValue().keySet());
      systems.sort(null);
      for (String system : systems) {
        List<LoadRun.Result> rs = e.getValue().get(system);
        long errors = rs.stream().mapToLong(LoadRun.Result::errors).sum();
        sb.append("| ").append(rs.get(0).scenario()).append(" | ").append(system).append(" | ")
            .append(rs.size()).append(" | ")
            .append(cell(rs, LoadRun.Result::entriesPerSecond, "%.0f")).append(" | ")
            .append(cell(rs, LoadRun.Result::p50Millis, "%.2f")).append(" | ")
            .append(cell(rs, LoadRun.Result::p99Millis, "%.2f")).append(" | ");
        if (open) {
          sb.append(cell(rs, LoadRun.Result::p999Millis, "%.2f")).append(" | ");
        }
        sb.append(cell(rs, LoadRun.Result::entriesPerFsync, "%.1f")).append(" | ")
            .append(cell(rs, LoadRun.Result::cpuMicrosPerEntry, "%.0f")).append(" | ")
            .append(errors).append(" |\n");
      }
    }
  }

  private static String cell(
      List<LoadRun.Result> rs, ToDoubleFunction<LoadRun.Result> f, String format) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    String med = String.format(Locale.ROOT, format, median(rs, f));
    if (v.length < 2) {
      return med;
    }
    return med + " [" + String.format(Locale.ROOT, format, v[0]) + "-"
        + String.format(Locale.ROOT, format, v[v.length - 1]) + "]";
  }

  static double median(List<LoadRun.Result> rs, ToDoubleFunction<LoadRun.Result> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
