package io.graft.bench.neo;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import io.graft.cluster.NeoHome;
import io.graft.cluster.PluginJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;

/**
 * A command, not a test (docs/TESTING.md "Benchmarks are not tests"): in one run, (a) one
 * plain Neo4j Community 5.26 server and (b) a 3-member graft cluster (writes to the leader found
 * with {@code raft.status()}), the same driver client and the same closed-loop write load at each
 * client count; then kill -9 failover trials on the cluster. Every server runs with the normal JIT
 * and GC (no quick-start flags) and the same heap ({@code -Xms=-Xmx}), page cache and JVM flags.
 *
 * <p>Per system: a warm-up of at least {@code --warmup-min} seconds (60) of load at 16 clients,
 * until two consecutive 5 s windows agree within 10 %; then per cell its own warm-up until steady
 * (at least 10 s) and a measured window of {@code --seconds}, over which the CPU time of every
 * process (/proc utime+stime: the server or each member, and this client JVM) is divided by the
 * committed transactions. With {@code --pin} every cell runs twice in the same run, unpinned and
 * pinned (single server on CPU 0 and the client on CPU 1; leader on CPU 0, followers and client on
 * CPU 1); {@code --pin only} measures the pinned cells alone. With {@code --strace} one more
 * short cell per system is traced with strace to count the fsync/fdatasync calls per committed
 * write of each process.
 *
 * <p>Usage: {@code NeoClusterVsSingle [--seconds 15] [--warmup-min 60] [--clients 1,16,64]
 * [--trials 10] [--systems single,cluster] [--pin true|only] [--strace true] [--dir D] [--lib L]
 * [--plugin P] [--out F] [--png F] [--heap 1g] [--page-cache 256m] [--cluster-settings k=v,..]
 * [--jfr DIR] [--async-profiler LIB.so] [--variants name:k=v,..|name2:k=v] [--rounds N]
 * [--rate TX_PER_S] [--server-jvm 'FLAGS']}; {@code --server-jvm} adds JVM flags to every
 * server, the single one and each member alike (a deployment setting both sides get); {@code
 * --rate} measures every cell at that offered load (the clients send on a schedule, {@link
 * NeoLoad#intendedStart}) instead of closed loop, so that CPU per transaction compares at equal
 * throughput;
 * {@code --rounds} runs every system at once and measures them interleaved, N rounds ({@link
 * InterleavedRun}); {@code --jfr} records
 * each measured window of every server with Flight Recorder (profiling runs only: it costs CPU
 * inside the window), {@code --async-profiler} with async-profiler's CPU sampler instead (collapsed
 * stacks and the window's transaction count in the {@code --jfr} folder, default {@code
 * benchmarks/target/profiles}; read them with {@link ProfileSummary}); {@code
 * --variants} adds a cluster run per variant with those settings, for side-by-side A/B in one run
 * (e.g. {@code every-apply:server.raft.neo4j_log_force=EVERY_APPLY|no-fast-path:
 * server.jvm.additional=-Dgraft.ab.noLeaderFastPath=true}).
 */
public final class NeoClusterVsSingle {
  /** Throughput windows during warm-ups; two consecutive ones within this agree (steady). */
  static final double WINDOW_SECONDS = 5;
  static final double TOLERANCE = 0.10;

  /** {@code --server-jvm}: extra JVM flags for every server of the run ("" for none). */
  private static String serverJvmFlags = "";

  private NeoClusterVsSingle() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = parse(argv);
    double seconds = Double.parseDouble(args.getOrDefault("seconds", "15"));
    double warmupMin = Double.parseDouble(args.getOrDefault("warmup-min", "60"));
    int trials = Integer.parseInt(args.getOrDefault("trials", "10"));
    List<Boolean> pin = pinModes(args.getOrDefault("pin", "false"));
    boolean strace = Boolean.parseBoolean(args.getOrDefault("strace", "false"));
    Path jfr = args.containsKey("jfr") ? Path.of(args.get("jfr")).toAbsolutePath() : null;
    if (args.containsKey("async-profiler")) {
      // FlightRecorder profiles with async-profiler instead of JFR (read before its first use)
      System.setProperty("graft.bench.asyncProfiler",
          Path.of(args.get("async-profiler")).toAbsolutePath().toString());
      if (jfr == null) {
        jfr = Path.of("benchmarks/target/profiles").toAbsolutePath();
      }
    }
    List<Integer> clients = new ArrayList<>();
    for (String c : args.getOrDefault("clients", "1,16,64").split(",")) {
      clients.add(Integer.parseInt(c.trim()));
    }
    List<String> systems = new ArrayList<>(
        List.of(args.getOrDefault("systems", "single,cluster").split(",")));
    // A/B: each variant is one more cluster run in the same invocation, with its own settings.
    Map<String, Map<String, String>> variants = variants(args.getOrDefault("variants", ""));
    variants.keySet().forEach(v -> systems.add("cluster-" + v));
    Path dir = Path.of(args.getOrDefault("dir", "benchmarks/target/neo4j-bench-"
        + System.currentTimeMillis())).toAbsolutePath();
    Path lib = Path.of(args.getOrDefault("lib", "local-cluster/target/neo4j-lib"))
        .toAbsolutePath();
    Path plugin = Path.of(args.getOrDefault("plugin", "plugin/target/graft-plugin.jar"))
        .toAbsolutePath();
    Path out = Path.of(args.getOrDefault("out", "benchmarks/target/neo4j-cluster-vs-single.md"));
    Path png = Path.of(args.getOrDefault("png", "benchmarks/target/neo4j-cluster-vs-single.png"));
    String heap = args.getOrDefault("heap", "1g");
    String pageCache = args.getOrDefault("page-cache", "256m");
    Map<String, String> clusterSettings = settings(args.getOrDefault("cluster-settings", ""));
    serverJvmFlags = args.getOrDefault("server-jvm", "").trim();
    PluginJar.problem(plugin).ifPresent(p -> {
      throw new IllegalStateException(p);
    });

    int rounds = Integer.parseInt(args.getOrDefault("rounds", "0"));
    double rate = Double.parseDouble(args.getOrDefault("rate", "0"));

    NeoReport report = new NeoReport(Instant.now(), seconds, warmupMin, heap, pageCache);
    report.offered(rate);
    report.noteLoad("start");
    AtomicLong ids = new AtomicLong();
    if (rounds > 0) {
      InterleavedRun.run(report, systems, clusterSettings, variants, rounds, clients, seconds,
          rate, warmupMin, trials, pin, strace, dir, lib, plugin, heap, pageCache, ids, jfr);
      finish(report, out, png);
      return;
    }
    for (String name : systems) {
      String system = name.trim();
      boolean cluster = system.startsWith("cluster");
      ClusterOptions options = options(report, system, clusterSettings, variants, dir, lib, plugin,
          heap, pageCache);
      try (LocalCluster servers = LocalCluster.start(options)) {
        int target = cluster ? servers.awaitLeader() : 1;
        Map<String, Long> pids = processes(servers, target, cluster);
        System.out.printf("[%s] writes go to member-%d (%s); processes %s%n", system, target,
            servers.boltUri(target), pids);
        report.note(String.format("%s: processes %s", system, pids));
        try (Driver driver = driver(servers.boltUri(target))) {
          NeoLoad.Warmup w = NeoLoad.untilSteady(system, driver, 16, ids, warmupMin,
              WINDOW_SECONDS, TOLERANCE, Math.max(180, warmupMin * 3), serverPids(pids));
          System.out.printf("[%s] warm-up at 16 clients: %s%n", system, w.describe());
          report.note(String.format("%s warm-up at 16 clients: %s", system, w.describe()));
          for (boolean pinned : pin) {
            pinAll(pids, pinned, cluster);
            for (int c : clients) {
              report.noteLoad(system + (pinned ? " pinned " : " ") + c + " clients");
              report.add(cell(system, pinned, driver, c, seconds, rate, ids, pids, jfr));
            }
            if (pinned && strace) {
              traced(report, system, driver, pids, ids, dir.resolve(system));
            }
          }
          pinAll(pids, false, cluster);
          if (cluster) {
            LatencyTable.of(servers, target).ifPresent(t -> report.stages(
                "Stage latencies on the leader (member-" + target + ", `CALL raft.latency()`,"
                    + " since its start: warm-up and every cell)", t));
          }
        }
        if (cluster && trials > 0) {
          report.noteLoad("failover");
          report.failover(new NeoFailover(servers, System.out::println, ids).run(trials));
        }
      }
    }
    finish(report, out, png);
  }

  private static void finish(NeoReport report, Path out, Path png) throws java.io.IOException {
    report.noteLoad("end");
    String table = report.markdown();
    System.out.println();
    System.out.println(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table);
    System.out.println("[report] written to " + out);
    if (report.plot(png)) {
      System.out.println("[report] plot written to " + png);
    }
  }

  /** How {@code system} is started: the same heap and JVM flags for every server. */
  static ClusterOptions options(NeoReport report, String system,
      Map<String, String> clusterSettings, Map<String, Map<String, String>> variants, Path dir,
      Path lib, Path plugin, String heap, String pageCache) {
    boolean cluster = system.startsWith("cluster");
    Map<String, String> settings = new HashMap<>(cluster ? clusterSettings : Map.of());
    if (system.startsWith("cluster-")) {
      settings.putAll(variants.get(system.substring("cluster-".length())));
    }
    // The same heap and flags for every server JVM (ServerProcess passes these lines on).
    String common = ("-Xms" + heap + " -Xmx" + heap + " " + serverJvmFlags).trim();
    settings.merge(NeoHome.JVM_ADDITIONAL, common, (extra, heapFlags) -> heapFlags + " " + extra);
    report.note(String.format("%s settings: %s", system, settings));
    return new ClusterOptions(cluster ? 3 : 1, dir.resolve(system), lib,
        cluster ? plugin : null, false, false, false, heap, pageCache, settings,
        Duration.ofSeconds(600), Duration.ofSeconds(120),
        line -> System.out.println("[" + system + "] " + line));
  }

  /** Server (or leader and followers) and client pids, by report label. */
  static Map<String, Long> processes(LocalCluster servers, int target, boolean cluster) {
    Map<String, Long> pids = new LinkedHashMap<>();
    if (!cluster) {
      pids.put("single", servers.pid(1));
    } else {
      pids.put("leader", servers.pid(target));
      int f = 0;
      for (int m = 1; m <= servers.size(); m++) {
        if (m != target) {
          pids.put("follower-" + (++f), servers.pid(m));
        }
      }
    }
    pids.put("client", Affinity.self());
    return pids;
  }

  static List<Long> serverPids(Map<String, Long> pids) {
    List<Long> out = new ArrayList<>();
    pids.forEach((label, pid) -> {
      if (!label.equals("client")) {
        out.add(pid);
      }
    });
    return out;
  }

  /** Pinned: the single server or the leader alone on CPU 0, everything else on CPU 1. */
  static void pinAll(Map<String, Long> pids, boolean pinned, boolean cluster) {
    pids.forEach((label, pid) -> {
      boolean alone = label.equals("single") || label.equals("leader");
      Affinity.pin(pid, !pinned ? Affinity.ALL : alone ? "0" : "1");
    });
  }

  /**
   * One measured cell after its own warm-up (closed loop at {@code clients}); measured closed loop
   * too, or at the offered {@code rate} (writes per second, all clients together) when positive.
   */
  static Cell cell(String system, boolean pinned, Driver driver, int clients,
      double seconds, double rate, AtomicLong ids, Map<String, Long> pids, Path jfr)
      throws InterruptedException {
    String mode = pinned ? "pinned" : "unpinned";
    NeoLoad.Warmup w = NeoLoad.untilSteady(system, driver, clients, ids, 2 * WINDOW_SECONDS,
        WINDOW_SECONDS, TOLERANCE, 8 * WINDOW_SECONDS, serverPids(pids));
    Map<String, Long> before = new ConcurrentHashMap<>();
    Map<String, Long> after = new ConcurrentHashMap<>();
    Map<String, Long> servers = new LinkedHashMap<>(pids);
    servers.remove("client");
    Map<String, Map<Long, Object[]>> threadsBefore = new ConcurrentHashMap<>();
    Map<String, Map<Long, Object[]>> threadsAfter = new ConcurrentHashMap<>();
    NeoLoad.Result r = NeoLoad.run(system, driver, clients, 0, seconds, ids, rate, () -> {
      pids.forEach((label, pid) -> before.put(label, ProcCpu.cpuMillis(pid)));
      servers.forEach((label, pid) -> threadsBefore.put(label, ThreadCpu.sample(pid)));
      if (jfr != null) {
        FlightRecorder.start(servers);
      }
    }, () -> {
      pids.forEach((label, pid) -> after.put(label, ProcCpu.cpuMillis(pid)));
      servers.forEach((label, pid) -> threadsAfter.put(label, ThreadCpu.sample(pid)));
      if (jfr != null) {
        FlightRecorder.stop(servers, jfr, system + "-" + mode + "-" + clients);
      }
    });
    if (jfr != null) {
      // the denominator for ProfileSummary's CPU ms per transaction
      try {
        Files.writeString(jfr.resolve(system + "-" + mode + "-" + clients + ".tx"),
            r.transactions() + "\n");
      } catch (java.io.IOException e) {
        System.out.println("[profile] could not write the transaction count: " + e);
      }
    }
    Map<String, Double> perTx = new LinkedHashMap<>();
    pids.keySet().forEach(label -> perTx.put(label,
        (after.get(label) - before.get(label)) / (double) Math.max(1, r.transactions())));
    System.out.printf("[%s %s] %3d clients: %8.1f tx/s  p50 %7.2f ms  p99 %7.2f ms  errors %d %s"
            + "  CPU ms/tx %s  (warm-up %s; loadavg %s)%n", system, mode, clients,
        r.txPerSecond(), r.p50Millis(), r.p99Millis(), r.errors(),
        r.errors() > 0 ? r.errorKinds() : "", format(perTx), w.describe(), NeoReport.load());
    if (rate > 0 && r.txPerSecond() < 0.97 * rate) {
      System.out.printf("[%s %s] %3d clients: BEHIND the offered %.0f tx/s: this cell does not"
          + " compare at equal load%n", system, mode, clients, rate);
    }
    Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
    Map<String, Map<String, Double>> switches = new LinkedHashMap<>();
    Map<String, Map<String, Double>> migrations = new LinkedHashMap<>();
    Map<String, Map<String, Double>> preemptions = new LinkedHashMap<>();
    double txs = Math.max(1, r.transactions());
    servers.keySet().forEach(label -> {
      Map<Long, Object[]> b = threadsBefore.get(label);
      Map<Long, Object[]> a = threadsAfter.get(label);
      groups.put(label, perTx(ThreadCpu.diff(b, a), txs));
      putIfAny(switches, label, perTx(ThreadCpu.switches(b, a), txs));
      putIfAny(migrations, label, perTx(ThreadCpu.migrations(b, a), txs));
      putIfAny(preemptions, label, perTx(ThreadCpu.preemptions(b, a), txs));
    });
    System.out.printf("[%s %s] %3d clients: CPU ms/tx by thread group %s%n", system, mode,
        clients, groups);
    System.out.printf("[%s %s] %3d clients: switch-ins/tx by thread group %s%n", system, mode,
        clients, switches);
    System.out.printf("[%s %s] %3d clients: CPU migrations/tx by thread group %s%n", system,
        mode, clients, migrations);
    System.out.printf("[%s %s] %3d clients: preemptions/tx by thread group %s%n", system,
        mode, clients, preemptions);
    return new Cell(system, pinned, r, perTx, w, groups, switches, migrations, preemptions);
  }

  private static Map<String, Double> perTx(Map<String, Long> perGroup, double txs) {
    Map<String, Double> out = new LinkedHashMap<>();
    perGroup.forEach((group, n) -> out.put(group, n / txs));
    return out;
  }

  /** Empty: the kernel did not expose that count; the process is left out. */
  private static void putIfAny(Map<String, Map<String, Double>> into, String label,
      Map<String, Double> perGroup) {
    if (!perGroup.isEmpty()) {
      into.put(label, perGroup);
    }
  }

  /** One traced cell at 16 clients: fsync+fdatasync calls of every server process. */
  static void traced(NeoReport report, String system, Driver driver,
      Map<String, Long> pids, AtomicLong ids, Path dir) throws Exception {
    Map<String, Long> servers = new LinkedHashMap<>(pids);
    servers.remove("client");
    FsyncTrace[] trace = new FsyncTrace[1];
    Map<String, Map<String, Long>> calls = new LinkedHashMap<>();
    NeoLoad.Result r = NeoLoad.run(system, driver, 16, 2, 10, ids, 0, () -> {
      try {
        trace[0] = new FsyncTrace(servers, dir);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, () -> {
      try {
        calls.putAll(trace[0].stop(servers));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    System.out.printf("[%s traced] 16 clients, %d committed: fsync+fdatasync calls %s%n", system,
        r.transactions(), calls);
    report.fsyncs(system, calls, r.transactions());
  }

  private static String format(Map<String, Double> perTx) {
    List<String> parts = new ArrayList<>();
    perTx.forEach((k, v) -> parts.add(String.format("%s %.3f", k, v)));
    return String.join(", ", parts);
  }

  /** {@code --pin}: false (unpinned cells), true (unpinned, then pinned), only (pinned cells). */
  static List<Boolean> pinModes(String pin) {
    return switch (pin) {
      case "false" -> List.of(false);
      case "true" -> List.of(false, true);
      case "only" -> List.of(true);
      default -> throw new IllegalArgumentException("--pin takes true, false or only, not " + pin);
    };
  }

  /**
   * {@code name:k=v,k=v|name2:k=v}: each a cluster variant run after the plain cluster, e.g.
   * {@code every-apply:server.raft.neo4j_log_force=EVERY_APPLY}.
   */
  private static Map<String, Map<String, String>> variants(String spec) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String v : spec.split("\\|")) {
      if (!v.isBlank()) {
        int colon = v.indexOf(':');
        out.put(v.substring(0, colon).trim(), settings(v.substring(colon + 1)));
      }
    }
    return out;
  }

  private static Map<String, String> settings(String list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : list.split(",")) {
      if (!pair.isBlank()) {
        int eq = pair.indexOf('=');
        out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return out;
  }

  static Driver driver(String uri) {
    return GraphDatabase.driver(uri, AuthTokens.none(), Config.builder()
        .withoutEncryption()
        .withLogging(Logging.none())
        .withMaxConnectionPoolSize(256)
        .withConnectionAcquisitionTimeout(60, TimeUnit.SECONDS)
        .build());
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
