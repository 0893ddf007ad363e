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
  private final List<NeoLoad.Result> results = new ArrayList<>();
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

  void failover(List<NeoFailover.Trial> done) {
    trials = List.copyOf(done);
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append(String.format("Run started %s; %.0f s per cell after %.0f s warm-up; heap %s, page"
        + " cache %s; fsync on; auto-commit `%s`.%n%n", began, seconds, warmup, heap, pageCache,
        NeoLoad.WRITE));
    md.append("| clients | single tx/s | single p50 ms | single p99 ms | cluster tx/s |"
        + " cluster p50 ms | cluster p99 ms | tx/s cluster/single | p50 cluster/single |"
        + " errors single/cluster |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (NeoLoad.Result s : of("single")) {
      NeoLoad.Result c = cell("cluster", s.clients());
      md.append(String.format("| %d | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s | %d/%s |%n",
          s.clients(), s.txPerSecond(), s.p50Millis(), s.p99Millis(),
          c == null ? "-" : String.format("%.0f", c.txPerSecond()),
          c == null ? "-" : String.format("%.2f", c.p50Millis()),
          c == null ? "-" : String.format("%.2f", c.p99Millis()),
          c == null ? "-" : String.format("%.2f", c.txPerSecond() / s.txPerSecond()),
          c == null ? "-" : String.format("%.2f", c.p50Millis() / s.p50Millis()),
          s.errors(), c == null ? "-" : Long.toString(c.errors())));
    }
    if (!trials.isEmpty()) {
      appendFailover(md);
    }
    md.append("\nLoad average (1/5/15 min) at: ");
    List<String> parts = new ArrayList<>();
    loads.forEach((when, value) -> parts.add(when + " " + value));
    md.append(String.join("; ", parts)).append(".\n");
    return md.toString();
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

  private List<NeoLoad.Result> of(String system) {
    List<NeoLoad.Result> mine = new ArrayList<>();
    for (NeoLoad.Result r : results) {
      if (r.system().equals(system)) {
        mine.add(r);
      }
    }
    if (mine.isEmpty() && system.equals("single")) {
      return of("cluster");
    }
    return mine;
  }

  private NeoLoad.Result cell(String system, int clients) {
    for (NeoLoad.Result r : results) {
      if (r.system().equals(system) && r.clients() == clients) {
        return r;
      }
    }
    return null;
  }

  /** tx/s by client count for both systems; false if there is nothing to plot. */
  boolean plot(Path file) throws IOException {
    if (results.isEmpty()) {
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
    for (NeoLoad.Result r : results) {
      if (!xs.contains(r.clients())) {
        xs.add(r.clients());
      }
      max = Math.max(max, r.txPerSecond());
    }
    xs.sort(null);
    max *= 1.1;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("Neo4j " + Neo4jRelease.version() + " writes: single server vs 3-member graft cluster",
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
    drawSeries(g, "single", new Color(40, 90, 200), 0, xs, slot, left, bottom, top, max);
    drawSeries(g, "cluster", new Color(220, 100, 30), 1, xs, slot, left, bottom, top, max);
    g.dispose();
    Files.createDirectories(file.toAbsolutePath().getParent());
    return ImageIO.write(image, "png", file.toFile());
  }

  private void drawSeries(Graphics2D g, String system, Color color, int index, List<Integer> xs,
      int slot, int left, int bottom, int top, double max) {
    int bar = slot / 3;
    g.setColor(color);
    g.fillRect(left + 20 + index * 160, top - 2, 12, 12);
    g.drawString(system.equals("single") ? "single plain server" : "3-member graft cluster",
        left + 36 + index * 160, top + 8);
    g.setStroke(new BasicStroke(1));
    for (NeoLoad.Result r : results) {
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
