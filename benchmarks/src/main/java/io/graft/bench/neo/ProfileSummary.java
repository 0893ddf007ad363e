package io.graft.bench.neo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads async-profiler's collapsed stacks of one process over one measured window (written by
 * {@code NeoClusterVsSingle --async-profiler}) and prints where its CPU went, as machine-independent
 * figures: samples per thread group (ThreadCpu's groups) and, for the top frames, the fraction of
 * all samples and CPU ms per committed transaction (one sample = 1 ms of CPU, itimer).
 *
 * <p>Usage: {@code ProfileSummary FILE.collapsed [--tx N | --tx-file F.tx] [--top 25] [--group
 * bolt-worker] [--match io.graft]}: {@code --group} keeps one thread group, {@code --match} adds a
 * table of the inclusive samples of frames containing that text (each counted once per stack).
 */
public final class ProfileSummary {
  private ProfileSummary() {}

  public static void main(String[] argv) throws IOException {
    Path file = Path.of(argv[0]);
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 1; i + 1 < argv.length; i += 2) {
      args.put(argv[i].substring(2), argv[i + 1]);
    }
    long tx = args.containsKey("tx") ? Long.parseLong(args.get("tx"))
        : args.containsKey("tx-file") ? Long.parseLong(Files.readString(
            Path.of(args.get("tx-file"))).trim()) : 0;
    int top = Integer.parseInt(args.getOrDefault("top", "25"));
    String onlyGroup = args.get("group");
    String match = args.get("match");

    Map<String, Long> groups = new TreeMap<>();
    Map<String, Long> self = new LinkedHashMap<>();
    Map<String, Long> inclusive = new LinkedHashMap<>();
    long total = 0;
    Pattern tid = Pattern.compile(" tid=\\d+\\]$");
    for (String line : Files.readAllLines(file)) {
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      long n = Long.parseLong(line.substring(space + 1).trim());
      String[] frames = line.substring(0, space).split(";");
      String thread = frames[0].startsWith("[")
          ? tid.matcher(frames[0]).replaceFirst("]").replaceAll("^\\[|\\]$", "") : "?";
      String group = ThreadCpu.group(thread.length() > 15 ? thread.substring(0, 15) : thread);
      groups.merge(group, n, Long::sum);
      if (onlyGroup != null && !onlyGroup.equals(group)) {
        continue;
      }
      total += n;
      self.merge(group + " · " + frames[frames.length - 1], n, Long::sum);
      if (match != null) {
        Set<String> seen = new HashSet<>();
        for (String f : frames) {
          if (f.contains(match) && seen.add(f)) {
            inclusive.merge(f, n, Long::sum);
          }
        }
      }
    }
    long all = groups.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("%s: %d samples (1 ms CPU each)%s%n", file.getFileName(), all,
        tx > 0 ? String.format(", %d transactions: %.3f CPU ms/tx", tx, all / (double) tx) : "");
    System.out.println();
    System.out.println("| thread group | samples | share | CPU ms/tx |");
    System.out.println("|---|---:|---:|---:|");
    long denominator = all;
    groups.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> System.out.println(row(e.getKey(), e.getValue(), denominator, tx)));
    System.out.println();
    System.out.printf("Top self frames%s:%n%n", onlyGroup == null ? "" : " of " + onlyGroup);
    System.out.println("| group / frame | samples | share | CPU ms/tx |");
    System.out.println("|---|---:|---:|---:|");
    print(self, top, all, tx);
    if (match != null) {
      System.out.println();
      System.out.printf("Inclusive samples of frames containing '%s'%s:%n%n", match,
          onlyGroup == null ? "" : " in " + onlyGroup);
      System.out.println("| frame | samples | share | CPU ms/tx |");
      System.out.println("|---|---:|---:|---:|");
      print(inclusive, top, all, tx);
    }
  }

  private static void print(Map<String, Long> counts, int top, long all, long tx) {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    sorted.stream().limit(top).forEach(e -> System.out.println(row(e.getKey(), e.getValue(), all,
        tx)));
  }

  private static String row(String name, long n, long all, long tx) {
    return String.format("| %s | %d | %.1f%% | %s |", name.replace("|", "\\|"),
        n, 100.0 * n / Math.max(1, all), tx > 0 ? String.format("%.4f", n / (double) tx) : "-");
  }
}
