package io.graft.bench;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** Formats the results as a Markdown table with graft/Ratis ratios. */
final class Report {
  private Report() {}

  static String markdown(
      List<LoadRun.Result> results, List<String> descriptions, double seconds, double warmup)
      throws IOException {
    StringBuilder sb =
        new StringBuilder("# graft vs Apache Ratis (3 members, loopback, fsync on)\n\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "Closed loop; %.0f s warm-up then %.0f s measured per row. %s.%n%n",
            warmup,
            seconds,
            RaftVsRatis.env()));
    for (String d : descriptions) {
      sb.append("* ").append(d).append('\n');
    }
    sb.append("\n| entry | proposers | system | entries/s | MB/s | p50 ms | p99 ms |")
        .append(" errors (incl. warm-up) |\n");
    sb.append("|---:|---:|---|---:|---:|---:|---:|---:|\n");
    for (LoadRun.Result r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %d B | %d | %s | %.0f | %.2f | %.2f | %.2f | %d |%n",
              r.entryBytes(),
              r.proposers(),
              r.system(),
              r.entriesPerSecond(),
              r.megabytesPerSecond(),
              r.p50Millis(),
              r.p99Millis(),
              r.errors()));
    }
    boolean ratis = results.stream().anyMatch(r -> r.system().equals("ratis"));
    if (ratis) {
      sb.append(
          "\n"
              + "| entry | proposers | throughput graft/ratis | p99 graft/ratis |\n"
              + "|---:|---:|---:|---:|\n");
    }
    for (LoadRun.Result g : results) {
      if (!g.system().equals("graft")) {
        continue;
      }
      for (LoadRun.Result r : results) {
        if (r.system().equals("ratis")
            && r.entryBytes() == g.entryBytes()
            && r.proposers() == g.proposers()) {
          sb.append(
              String.format(
                  Locale.ROOT,
                  "| %d B | %d | %.2fx | %.2fx |%n",
                  g.entryBytes(),
                  g.proposers(),
                  g.entriesPerSecond() / r.entriesPerSecond(),
                  g.p99Millis() / r.p99Millis()));
        }
      }
    }
    appendRatios(sb, results, "graft-tls", "graft", "TLS on / off");
    return sb.toString();
  }

  /** Throughput and p99 of {@code system} over {@code baseline}, row by row, if both ran. */
  private static void appendRatios(StringBuilder sb, List<LoadRun.Result> results, String system,
      String baseline, String title) {
    StringBuilder rows = new StringBuilder();
    for (LoadRun.Result s : results) {
      if (!s.system().equals(system)) {
        continue;
      }
      for (LoadRun.Result b : results) {
        if (b.system().equals(baseline) && b.entryBytes() == s.entryBytes()
            && b.proposers() == s.proposers()) {
          rows.append(String.format(Locale.ROOT, "| %d B | %d | %.2f | %.2f |%n", s.entryBytes(),
              s.proposers(), s.entriesPerSecond() / b.entriesPerSecond(),
              s.p99Millis() / b.p99Millis()));
        }
      }
    }
    if (rows.length() > 0) {
      sb.append("\n").append(title).append(" (").append(system).append(" / ").append(baseline)
          .append(")\n\n| entry | proposers | throughput ratio | p99 ratio |\n")
          .append("|---:|---:|---:|---:|\n").append(rows);
    }
  }
}
