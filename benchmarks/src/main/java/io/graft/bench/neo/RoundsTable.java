package io.graft.bench.neo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cells of an interleaved run ({@code --rounds}), round by round, and their table: each
 * round's ratios of a cluster to the single server of the same round, as median and range.
 */
final class RoundsTable {
  private final List<Map.Entry<Integer, Cell>> rounds = new ArrayList<>();

  void add(int round, Cell cell) {
    rounds.add(Map.entry(round, cell));
  }

  /** Every cell with its round, in the order measured. */
  List<Map.Entry<Integer, Cell>> cells() {
    return rounds;
  }

  /** Per system (single, cluster) and client count: the median tx/s of the unpinned cells. */
  List<NeoLoad.Result> unpinnedMedians() {
    List<NeoLoad.Result> out = new ArrayList<>();
    for (String system : List.of("single", "cluster")) {
      Map<Integer, List<Double>> perClients = new LinkedHashMap<>();
      rounds.forEach(e -> {
        Cell c = e.getValue();
        if (!c.pinned() && c.system().equals(system)) {
          perClients.computeIfAbsent(c.clients(), k -> new ArrayList<>())
              .add(c.result().txPerSecond());
        }
      });
      perClients.forEach((clients, tx) -> out.add(new NeoLoad.Result(system, clients,
          Math.round(medianOf(tx)), 1, 0, 0, 0, "")));
    }
    return out;
  }

  /**
   * The interleaved rounds: per pinning, client count and cluster system, the median and range over
   * the rounds of each round's ratios to the single server measured in the same round, then every
   * round's cells.
   */
  void appendTo(StringBuilder md) {
    if (rounds.isEmpty()) {
      return;
    }
    int n = rounds.stream().mapToInt(Map.Entry::getKey).max().orElse(0);
    List<String> clusters = new ArrayList<>();
    List<Integer> clientCounts = new ArrayList<>();
    for (Map.Entry<Integer, Cell> e : rounds) {
      Cell c = e.getValue();
      if (!c.system().equals("single") && !clusters.contains(c.system())) {
        clusters.add(c.system());
      }
      if (!clientCounts.contains(c.clients())) {
        clientCounts.add(c.clients());
      }
    }
    md.append(String.format("**Interleaved, %d rounds**: every system running at once, each round"
        + " measuring every cell of every system back to back (the first system rotating per"
        + " round); a ratio compares two cells of the same round. Median [min-max] over the"
        + " rounds:%n%n", n));
    md.append("| pinned | clients | system | tx/s cluster/single | leader CPU/single |"
        + " follower CPU/single | single tx/s | cluster tx/s | single CPU ms/tx |"
        + " leader CPU ms/tx | follower CPU ms/tx | p50 ms single → cluster |"
        + " p99 ms single → cluster |\n");
    md.append("|---|---:|---|---|---|---|---:|---:|---:|---:|---:|---|---|\n");
    for (boolean pinned : new boolean[] {false, true}) {
      for (int clients : clientCounts) {
        for (String system : clusters) {
          // per quantity, one value per round in which both systems have this cell
          Map<String, List<Double>> v = new LinkedHashMap<>();
          for (int round = 1; round <= n; round++) {
            Cell s = cell(round, "single", pinned, clients);
            Cell c = cell(round, system, pinned, clients);
            if (s == null || c == null) {
              continue;
            }
            double single = s.cpu("single");
            Map<String, Double> r = new LinkedHashMap<>();
            r.put("tx", c.result().txPerSecond() / s.result().txPerSecond());
            r.put("leader", c.cpu("leader") / single);
            r.put("follower", c.cpu("follower") / single);
            r.put("singleTx", s.result().txPerSecond());
            r.put("clusterTx", c.result().txPerSecond());
            r.put("singleCpu", single);
            r.put("leaderCpu", c.cpu("leader"));
            r.put("followerCpu", c.cpu("follower"));
            r.put("singleP50", s.result().p50Millis());
            r.put("clusterP50", c.result().p50Millis());
            r.put("singleP99", s.result().p99Millis());
            r.put("clusterP99", c.result().p99Millis());
            r.forEach((k, x) -> v.computeIfAbsent(k, q -> new ArrayList<>()).add(x));
          }
          if (v.isEmpty()) {
            continue;
          }
          md.append(String.format("| %s | %d | %s | %s | %s | %s | %.0f | %.0f | %.3f | %.3f |"
                  + " %.3f | %.2f → %.2f | %.2f → %.2f |%n", pinned ? "yes" : "no", clients,
              system, spread(v.get("tx")), spread(v.get("leader")), spread(v.get("follower")),
              medianOf(v.get("singleTx")), medianOf(v.get("clusterTx")),
              medianOf(v.get("singleCpu")), medianOf(v.get("leaderCpu")),
              medianOf(v.get("followerCpu")), medianOf(v.get("singleP50")),
              medianOf(v.get("clusterP50")), medianOf(v.get("singleP99")),
              medianOf(v.get("clusterP99"))));
        }
      }
    }
    md.append("\nEvery round's cells (CPU ms per committed transaction per process):\n\n");
    md.append("| round | pinned | clients | system | tx/s | p50 ms | p99 ms | CPU ms/tx |\n");
    md.append("|---:|---|---:|---|---:|---:|---:|---|\n");
    for (Map.Entry<Integer, Cell> e : rounds) {
      Cell c = e.getValue();
      List<String> cpu = new ArrayList<>();
      c.cpuMillisPerTx().forEach((who, ms) -> cpu.add(String.format("%s %.3f", who, ms)));
      md.append(String.format("| %d | %s | %d | %s | %.0f | %.2f | %.2f | %s |%n", e.getKey(),
          c.pinned() ? "yes" : "no", c.clients(), c.system(), c.result().txPerSecond(),
          c.result().p50Millis(), c.result().p99Millis(), String.join(", ", cpu)));
    }
    md.append("\n");
  }

  private Cell cell(int round, String system, boolean pinned, int clients) {
    for (Map.Entry<Integer, Cell> e : rounds) {
      Cell c = e.getValue();
      if (e.getKey() == round && c.system().equals(system) && c.pinned() == pinned
          && c.clients() == clients) {
        return c;
      }
    }
    return null;
  }

  /** "median [min-max]" with two decimals. */
  private static String spread(List<Double> values) {
    return String.format("%.2f [%.2f-%.2f]", medianOf(values), Collections.min(values),
        Collections.max(values));
  }

  private static double medianOf(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
