package io.graft.bench.neo;

import static io.graft.bench.neo.NeoClusterVsSingle.TOLERANCE;
import static io.graft.bench.neo.NeoClusterVsSingle.WINDOW_SECONDS;
import static io.graft.bench.neo.NeoClusterVsSingle.cell;
import static io.graft.bench.neo.NeoClusterVsSingle.driver;
import static io.graft.bench.neo.NeoClusterVsSingle.options;
import static io.graft.bench.neo.NeoClusterVsSingle.pinAll;
import static io.graft.bench.neo.NeoClusterVsSingle.processes;
import static io.graft.bench.neo.NeoClusterVsSingle.serverPids;
import static io.graft.bench.neo.NeoClusterVsSingle.traced;

import io.graft.cluster.LocalCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.driver.Driver;

/** {@link NeoClusterVsSingle}'s interleaved form ({@code --rounds N}). */
final class InterleavedRun {
  private InterleavedRun() {}

  /** One system kept running through the interleaved rounds. */
  private record Running(String system, LocalCluster servers, int target, Map<String, Long> pids,
      Driver driver) {
    boolean cluster() {
      return system.startsWith("cluster");
    }
  }

  /**
   * {@code --rounds N}: every system is started once and kept running (the idle ones cost next to
   * nothing: heartbeats); then N rounds, each measuring every cell of every system back to back,
   * the system that goes first rotating from round to round. The machine's speed drifts (20-40 %
   * by the hour on this VM) and the sequential form measures the single server minutes before the
   * cluster; here a drift falls on both sides of every ratio alike, and the report gives each
   * round's ratios with their median and range instead of one pair of cells.
   */
  static void run(NeoReport report, List<String> systems,
      Map<String, String> clusterSettings, Map<String, Map<String, String>> variants, int rounds,
      List<Integer> clients, double seconds, double rate, double warmupMin, int trials,
      List<Boolean> pin, boolean strace, Path dir, Path lib, Path plugin, String heap,
      String pageCache, AtomicLong ids, Path jfr) throws Exception {
    List<Running> running = new ArrayList<>();
    try {
      for (String name : systems) {
        String system = name.trim();
        boolean cluster = system.startsWith("cluster");
        LocalCluster servers = LocalCluster.start(options(report, system, clusterSettings,
            variants, dir, lib, plugin, heap, pageCache));
        int target = cluster ? servers.awaitLeader() : 1;
        Map<String, Long> pids = processes(servers, target, cluster);
        running.add(new Running(system, servers, target, pids, driver(servers.boltUri(target))));
        System.out.printf("[%s] writes go to member-%d (%s); processes %s%n", system, target,
            servers.boltUri(target), pids);
        report.note(String.format("%s: processes %s", system, pids));
      }
      for (Running r : running) {
        NeoLoad.Warmup w = NeoLoad.untilSteady(r.system(), r.driver(), 16, ids, warmupMin,
            WINDOW_SECONDS, TOLERANCE, Math.max(180, warmupMin * 3), serverPids(r.pids()));
        System.out.printf("[%s] warm-up at 16 clients: %s%n", r.system(), w.describe());
        report.note(String.format("%s warm-up at 16 clients: %s", r.system(), w.describe()));
      }
      report.note(String.format("interleaved: %d rounds; in each, every cell of every system back"
          + " to back, the first system rotating per round (round 1: %s)", rounds,
          running.get(0).system()));
      for (int round = 1; round <= rounds; round++) {
        List<Running> order = new ArrayList<>(running);
        java.util.Collections.rotate(order, -(round - 1));
        for (boolean pinned : pin) {
          for (int c : clients) {
            for (Running r : order) {
              pinFor(running, r, pinned);
              System.out.printf("[round %d/%d] %s %s %d clients%n", round, rounds, r.system(),
                  pinned ? "pinned" : "unpinned", c);
              report.addRound(round, cell(r.system(), pinned, r.driver(), c, seconds, rate, ids,
                  r.pids(), jfr));
            }
          }
        }
        report.noteLoad("after round " + round);
      }
      for (Running r : running) {
        if (pin.contains(true) && strace) {
          pinFor(running, r, true);
          traced(report, r.system(), r.driver(), r.pids(), ids, dir.resolve(r.system()));
        }
      }
      for (Running r : running) {
        pinAll(r.pids(), false, r.cluster());
        if (r.cluster()) {
          LatencyTable.of(r.servers(), r.target()).ifPresent(t -> report.stages(
              "Stage latencies on " + r.system() + "'s leader (member-" + r.target()
                  + ", `CALL raft.latency()`, since its start: warm-up and every cell)", t));
        }
      }
      for (Running r : running) {
        if (r.system().equals("cluster") && trials > 0) {
          report.noteLoad("failover");
          report.failover(new NeoFailover(r.servers(), System.out::println, ids).run(trials));
        }
      }
    } finally {
      for (Running r : running) {
        r.driver().close();
        r.servers().close();
      }
    }
  }

  /**
   * Pins {@code measured} as {@link NeoClusterVsSingle#pinAll} does; with {@code pinned} every
   * other system's processes (idle) go to CPU 1 with the client, so CPU 0 holds the measured
   * server alone.
   */
  private static void pinFor(List<Running> running, Running measured, boolean pinned) {
    for (Running r : running) {
      if (r == measured) {
        pinAll(r.pids(), pinned, r.cluster());
      } else {
        r.pids().forEach((label, pid) -> {
          if (!label.equals("client")) {
            Affinity.pin(pid, pinned ? "1" : Affinity.ALL);
          }
        });
      }
    }
  }
}
