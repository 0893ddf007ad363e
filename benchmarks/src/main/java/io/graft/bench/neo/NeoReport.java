package io.graft.bench.neo;

import io.graft.cluster.Neo4jRelease;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Collects the cells and failover trials; renders the Markdown table and a PNG plot. */
final class NeoReport {
  private final Instant began;
  private final double seconds;
  private final double warmup;
  private final String heap;
  private final String pageCache;
  /** Offered writes per second of every measured cell (all clients together); 0: closed loop. */
  private double offered;
  private final List<NeoLoad.Result> results = new ArrayList<>();
  private final List<Cell> cells = new ArrayList<>();
  /** Interleaved mode: the cells of every round, in the order measured. */
  private final RoundsTable rounds = new RoundsTable();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, Map<String, Map<String, Long>>> fsyncs = new LinkedHashMap<>();
  private final Map<String, Long> fsyncTxs = new LinkedHashMap<>();
  private final Map<String, String> stageTables = new LinkedHashMap<>();
  private final Map<String, String> loads = new LinkedHashMap<>();
  private List<NeoFailover.Trial> trials = List.of();

  NeoReport(Instant began, double seconds, double warmup, String heap, String pageCache) {
    this.began = began;
    this.seconds = seconds;
    this.warmup = warmup;
    this.heap = heap;
    this.pageCache = pageCache;
  }

  /** The 1/5/15-minute load averages from /proc/loadavg. */
  static String load() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "?";
    }
  }

  void noteLoad(String when) {
    loads.put(when, load());
  }

  void add(NeoLoad.Result result) {
    results.add(result);
  }

  /** A measured cell; the unpinned ones also feed the plot. */
  void add(Cell cell) {
    cells.add(cell);
    if (!cell.pinned()) {
      results.add(cell.result());
    }
  }

  /** A cell of round {@code round} of the interleaved mode. */
  void addRound(int round, Cell cell) {
    rounds.add(round, cell);
  }

  /** A line for the report's notes (warm-ups, leaders, pinning). */
  void note(String line) {
    notes.add(line);
  }

  /**
   * fsync+fdatasync calls per process and kind of file over a traced cell of {@code committed}
   * transactions.
   */
  void fsyncs(String system, Map<String, Map<String, Long>> calls, long committed) {
    fsyncs.put(system, calls);
    fsyncTxs.put(system, committed);
  }

  /** The stage histograms a member reported ({@code CALL raft.latency()}), as a table. */
  void stages(String title, String markdownTable) {
    stageTables.put(title, markdownTable);
  }
  void failover(List<NeoFailover.Trial> done) {
    trials = List.copyOf(done);
  }

  /** Every cell measured at {@code rate} offered writes per second (0: closed loop). */
  void offered(double rate) {
    this.offered = rate;
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append(String.format("Run started %s; %.0f s per cell after a warm-up until steady;"
        + " heap %s, page cache %s, the same JVM flags for every server; auto-commit `%s`.%n%n",
        began, seconds, heap, pageCache, NeoLoad.WRITE));
    if (offered > 0) {
      md.append(String.format("**Equal offered load**: every cell measured at %.0f writes per"
          + " second in all (the clients send on a schedule, latency timed from each write's"
          + " intended start), so CPU per transaction compares at the same throughput; a cell"
          + " below it did not keep up.%n%n", offered));
    }
    rounds.appendTo(md);
    for (boolean pinned : new boolean[] {false, true}) {
      if (cells.stream().noneMatch(c -> c.pinned() == pinned)) {
        continue;
      }
      md.append(pinned ? "**Pinned** (single server on CPU 0, client on CPU 1; cluster leader on"
          + " CPU 0, both followers and the client on CPU 1):\n\n" : "**Unpinned**:\n\n");
      md.append("| clients | single tx/s | single p50 ms | single p99 ms | cluster tx/s |"
          + " cluster p50 ms | cluster p99 ms | tx/s cluster/single | errors single/cluster |\n");
      md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Cell s : cellsOf("single", pinned)) {
        Cell c = cellOf("cluster", pinned, s.clients());
        NeoLoad.Result sr = s.result();
        NeoLoad.Result cr = c == null ? null : c.result();
        md.append(String.format("| %d | %.0f | %.2f | %.2f | %s | %s | %s | %s | %d/%s |%n",
            s.clients(), sr.txPerSecond(), sr.p50Millis(), sr.p99Millis(),
            cr == null ? "-" : String.format("%.0f", cr.txPerSecond()),
            cr == null ? "-" : String.format("%.2f", cr.p50Millis()),
            cr == null ? "-" : String.format("%.2f", cr.p99Millis()),
            cr == null ? "-" : String.format("%.2f", cr.txPerSecond() / sr.txPerSecond()),
            sr.errors(), cr == null ? "-" : Long.toString(cr.errors())));
      }
      md.append("\nCPU ms per committed transaction (utime+stime from /proc over the measured"
          + " window):\n\n");
      md.append("| clients | single | client (single) | leader | follower 1 | follower 2 |"
          + " client (cluster) | leader/single | follower/single |\n");
      md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Cell s : cellsOf("single", pinned)) {
        Cell c = cellOf("cluster", pinned, s.clients());
        double single = s.cpu("single");
        md.append(String.format("| %d | %.3f | %.3f | %s | %s | %s | %s | %s | %s |%n",
            s.clients(), single, s.cpu("client"),
            c == null ? "-" : String.format("%.3f", c.cpu("leader")),
            c == null ? "-" : String.format("%.3f", c.cpu("follower-1")),
            c == null ? "-" : String.format("%.3f", c.cpu("follower-2")),
            c == null ? "-" : String.format("%.3f", c.cpu("client")),
            c == null ? "-" : String.format("%.2f", c.cpu("leader") / single),
            c == null ? "-" : String.format("%.2f", c.cpu("follower") / single)));
      }
      md.append("\n");
    }
    appendThreadGroups(md);
    appendVariants(md);
    if (!fsyncs.isEmpty()) {
      md.append("fsync + fdatasync calls per committed write, counted with `strace -f -e"
          + " trace=fsync,fdatasync` on one traced cell at 16 clients (its throughput is not"
          + " used), by the file forced:\n\n");
      md.append("| system | committed | process | raft-log | neo4j-tx-log | neo4j-checkpoint-log"
          + " | other |\n");
      md.append("|---|---:|---|---:|---:|---:|---:|\n");
      fsyncs.forEach((system, byProcess) -> {
        long committed = fsyncTxs.get(system);
        byProcess.forEach((who, kinds) -> {
          md.append(String.format("| %s | %d | %s |", system, committed, who));
          for (String kind : List.of("raft-log", "neo4j-tx-log", "neo4j-checkpoint-log",
              "other")) {
            long n = kinds.getOrDefault(kind, 0L);
            md.append(String.format(" %.3f (%d) |", committed == 0 ? Double.NaN
                : (double) n / committed, n));
          }
          md.append("\n");
        });
      });
      md.append("\n");
    }
    stageTables.forEach((title, table) -> md.append(title).append(":\n\n").append(table)
        .append("\n"));
    if (!trials.isEmpty()) {
      appendFailover(md);
    }
    if (!notes.isEmpty()) {
      md.append("\nNotes:\n\n");
      notes.forEach(n -> md.append("* ").append(n).append("\n"));
    }
    md.append("\nLoad average (1/5/15 min) at: ");
    List<String> parts = new ArrayList<>();
    loads.forEach((when, value) -> parts.add(when + " " + value));
    md.append(String.join("; ", parts)).append(".\n");
    return md.toString();
  }

  /** Where each server's CPU per transaction goes, by thread group (single vs leader etc.). */
  private void appendThreadGroups(StringBuilder md) {
    List<Map.Entry<String, Cell>> all = new ArrayList<>();
    cells.forEach(c -> all.add(Map.entry("", c)));
    rounds.cells().forEach(e -> all.add(Map.entry("round " + e.getKey() + ": ", e.getValue())));
    if (all.isEmpty()) {
      return;
    }
    md.append("CPU ms per committed transaction by thread group (/proc/<pid>/task):\n\n");
    appendGroupTable(md, all, Cell::threadGroups, "%.3f", false);
    if (all.stream().anyMatch(e -> !e.getValue().switchesPerTx().isEmpty())) {
      md.append("Switch-ins (wake-ups) per committed transaction by thread group"
          + " (/proc/<pid>/task/<tid>/schedstat; the hand-offs a write makes):\n\n");
      appendGroupTable(md, all, Cell::switchesPerTx, "%.2f", true);
    }
    if (all.stream().anyMatch(e -> !e.getValue().migrationsPerTx().isEmpty())) {
      md.append("Migrations to another CPU per committed transaction by thread group"
          + " (/proc/<pid>/task/<tid>/sched, se.nr_migrations; a thread that resumes elsewhere"
          + " leaves its cache behind):\n\n");
      appendGroupTable(md, all, Cell::migrationsPerTx, "%.2f", true);
    }
    if (all.stream().anyMatch(e -> !e.getValue().preemptionsPerTx().isEmpty())) {
      md.append("Preemptions per committed transaction by thread group"
          + " (/proc/<pid>/task/<tid>/sched, nr_involuntary_switches; taken off a CPU while"
          + " still runnable):\n\n");
      appendGroupTable(md, all, Cell::preemptionsPerTx, "%.2f", true);
    }
  }

  private static void appendGroupTable(StringBuilder md, List<Map.Entry<String, Cell>> all,
      java.util.function.Function<Cell, Map<String, Map<String, Double>>> figures, String format,
      boolean withTotal) {
    List<String> groups = List.of("bolt-worker", "bolt-io", "graft-apply", "graft-raft",
        "graft-net", "graft-fsync", "graft-snapshot", "graft-other", "neo4j-other", "gc", "jit",
        "jvm-other");
    md.append("| pinned | clients | system | process |");
    groups.forEach(g -> md.append(" ").append(g).append(" |"));
    md.append(withTotal ? " all |\n|---|---:|---|---|" : "\n|---|---:|---|---|");
    groups.forEach(g -> md.append("---:|"));
    md.append(withTotal ? "---:|\n" : "\n");
    for (Map.Entry<String, Cell> e : all) {
      Cell c = e.getValue();
      figures.apply(c).forEach((process, perGroup) -> {
        md.append(String.format("| %s | %d | %s%s | %s |", c.pinned() ? "yes" : "no",
            c.clients(), e.getKey(), c.system(), process));
        groups.forEach(g -> md.append(" ")
            .append(String.format(format, perGroup.getOrDefault(g, 0.0))).append(" |"));
        if (withTotal) {
          double sum = perGroup.values().stream().mapToDouble(Double::doubleValue).sum();
          md.append(" ").append(String.format(format, sum)).append(" |");
        }
        md.append("\n");
      });
    }
    md.append("\n");
  }

  /** Every cluster run (the plain one and each variant) side by side, per pinning and clients. */
  private void appendVariants(StringBuilder md) {
    List<String> clusters = new ArrayList<>();
    for (Cell c : cells) {
      if (c.system().startsWith("cluster") && !clusters.contains(c.system())) {
        clusters.add(c.system());
      }
    }
    if (clusters.size() < 2) {
      return;
    }
    md.append("Side by side (A/B; variants' settings in the notes):\n\n");
    md.append("| pinned | clients | system | tx/s | p50 ms | p99 ms | tx/s vs single |"
        + " leader CPU ms/tx | follower CPU ms/tx |\n");
    md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (boolean pinned : new boolean[] {false, true}) {
      for (Cell s : cellsOf("single", pinned)) {
        for (String system : clusters) {
          Cell c = cellOf(system, pinned, s.clients());
          if (c == null) {
            continue;
          }
          md.append(String.format("| %s | %d | %s | %.0f | %.2f | %.2f | %.2f | %.3f | %.3f |%n",
              pinned ? "yes" : "no", c.clients(), system, c.result().txPerSecond(),
              c.result().p50Millis(), c.result().p99Millis(),
              c.result().txPerSecond() / s.result().txPerSecond(), c.cpu("leader"),
              c.cpu("follower")));
        }
      }
    }
    md.append("\n");
  }

  private List<Cell> cellsOf(String system, boolean pinned) {
    List<Cell> mine = new ArrayList<>();
    for (Cell c : cells) {
      if (c.system().equals(system) && c.pinned() == pinned) {
        mine.add(c);
      }
    }
    if (mine.isEmpty() && system.equals("single")) {
      return cellsOf("cluster", pinned);
    }
    return mine;
  }

  private Cell cellOf(String system, boolean pinned, int clients) {
    for (Cell c : cells) {
      if (c.system().equals(system) && c.pinned() == pinned && c.clients() == clients) {
        return c;
      }
    }
    return null;
  }

  private void appendFailover(StringBuilder md) {
    List<Long> ack = new ArrayList<>();
    List<Long> agreed = new ArrayList<>();
    md.append("\nFailover (kill -9 of the leader under one back-to-back writer):\n\n");
    md.append("| trial | killed | acked by | first acked write ms | agreed leader seen ms |\n");
    md.append("|---:|---:|---:|---:|---:|\n");
    for (NeoFailover.Trial t : trials) {
      md.append(String.format("| %d | member-%d | member-%d | %d | %d |%n", t.number(),
          t.killed(), t.newLeader(), t.firstAckMillis(), t.agreedMillis()));
      ack.add(t.firstAckMillis());
      agreed.add(t.agreedMillis());
    }
    ack.sort(null);
    agreed.sort(null);
    md.append(String.format("%nFirst acknowledged write after kill -9: median %d ms, max %d ms,"
        + " min %d ms over %d trials (agreed leader seen by polling: median %d ms, max %d ms).%n",
        median(ack), ack.get(ack.size() - 1), ack.get(0), ack.size(), median(agreed),
        agreed.get(agreed.size() - 1)));
  }

  private static long median(List<Long> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * tx/s by client count for both systems (interleaved: the median over the rounds of the
   * unpinned cells); false if there is nothing to plot.
   */
  boolean plot(Path file) throws IOException {
    List<NeoLoad.Result> plotted = results.isEmpty() ? rounds.unpinnedMedians() : results;
    if (plotted.isEmpty()) {
      return false;
    }
    int w = 720;
    int h = 440;
    int left = 80;
    int bottom = h - 60;
    int top = 50;
    int right = w - 30;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    List<Integer> xs = new ArrayList<>();
    double max = 1;
    for (NeoLoad.Result r : plotted) {
      if (!xs.contains(r.clients())) {
        xs.add(r.clients());
      }
      max = Math.max(max, r.txPerSecond());
    }
    xs.sort(null);
    max *= 1.1;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("Neo4j " + Neo4jRelease.version()
        + " writes: single server vs 3-member graft cluster",
        left, 28);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, bottom, left, top);
    for (int i = 0; i <= 5; i++) {
      int y = bottom - (bottom - top) * i / 5;
      g.setColor(new Color(225, 225, 225));
      g.drawLine(left + 1, y, right, y);
      g.setColor(Color.BLACK);
      g.drawString(String.format("%.0f", max * i / 5), 10, y + 4);
    }
    g.drawString("tx/s", 10, top - 10);
    g.drawString("concurrent clients", (left + right) / 2 - 50, h - 15);
    int slot = (right - left) / xs.size();
    for (int i = 0; i < xs.size(); i++) {
      g.drawString(Integer.toString(xs.get(i)), left + slot * i + slot / 2 - 6, bottom + 18);
    }
    drawSeries(g, plotted, "single", new Color(40, 90, 200), 0, xs, slot, left, bottom, top, max);
    drawSeries(g, plotted, "cluster", new Color(220, 100, 30), 1, xs, slot, left, bottom, top,
        max);
    g.dispose();
    Files.createDirectories(file.toAbsolutePath().getParent());
    return ImageIO.write(image, "png", file.toFile());
  }

  private static void drawSeries(Graphics2D g, List<NeoLoad.Result> plotted, String system,
      Color color, int index, List<Integer> xs, int slot, int left, int bottom, int top,
      double max) {
    int bar = slot / 3;
    g.setColor(color);
    g.fillRect(left + 20 + index * 160, top - 2, 12, 12);
    g.drawString(system.equals("single") ? "single plain server" : "3-member graft cluster",
        left + 36 + index * 160, top + 8);
    g.setStroke(new BasicStroke(1));
    for (NeoLoad.Result r : plotted) {
      if (!r.system().equals(system)) {
        continue;
      }
      int i = xs.indexOf(r.clients());
      int x = left + slot * i + slot / 2 - bar + index * bar;
      int height = (int) ((bottom - top) * r.txPerSecond() / max);
      g.setColor(color);
      g.fillRect(x, bottom - height, bar - 4, height);
      g.setColor(Color.BLACK);
      g.drawString(String.format("%.0f", r.txPerSecond()), x, bottom - height - 4);
    }
  }
}
