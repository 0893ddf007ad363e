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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;

/**
 * A command, not a test (docs/TESTING.md "Benchmarks are not tests"): in one run, (a) one plain
 * Neo4j Community 5.26 server and (b) a 3-member graft cluster (writes to the leader found with
 * {@code raft.status()}), the same driver client and the same closed-loop write load at each client
 * count; then kill -9 failover trials on the cluster. Both systems run with the normal JIT and GC
 * (no quick-start flags), fsync on (Neo4j's default), the same heap and page cache.
 *
 * <p>Usage: {@code NeoClusterVsSingle [--seconds 15] [--warmup 5] [--clients 1,16,64]
 * [--trials 10] [--systems single,cluster] [--dir D] [--lib L] [--plugin P] [--out F]
 * [--png F] [--heap 1g] [--page-cache 256m]}
 */
public final class NeoClusterVsSingle {
  private NeoClusterVsSingle() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = parse(argv);
    double seconds = Double.parseDouble(args.getOrDefault("seconds", "15"));
    double warmup = Double.parseDouble(args.getOrDefault("warmup", "5"));
    int trials = Integer.parseInt(args.getOrDefault("trials", "10"));
    List<Integer> clients = new ArrayList<>();
    for (String c : args.getOrDefault("clients", "1,16,64").split(",")) {
      clients.add(Integer.parseInt(c.trim()));
    }
    List<String> systems = List.of(args.getOrDefault("systems", "single,cluster").split(","));
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
    PluginJar.problem(plugin).ifPresent(p -> {
      throw new IllegalStateException(p);
    });

    NeoReport report = new NeoReport(Instant.now(), seconds, warmup, heap, pageCache);
    report.noteLoad("start");
    AtomicLong ids = new AtomicLong();
    for (String system : systems) {
      boolean cluster = system.trim().equals("cluster");
      ClusterOptions options = new ClusterOptions(cluster ? 3 : 1, dir.resolve(system.trim()), lib,
          cluster ? plugin : null, false, false, false, heap, pageCache, Map.of(),
          Duration.ofSeconds(300), Duration.ofSeconds(120),
          line -> System.out.println("[" + system.trim() + "] " + line));
      try (LocalCluster servers = LocalCluster.start(options)) {
        int target = cluster ? servers.awaitLeader() : 1;
        System.out.printf("[%s] writes go to member-%d (%s)%n", system, target,
            servers.boltUri(target));
        try (Driver driver = driver(servers.boltUri(target))) {
          // A discarded warm-up at 16 clients first: JIT, label/property tokens, pools; each cell
          // then warms up again at its own client count.
          NeoLoad.Result w = NeoLoad.run(system.trim(), driver, 16, 0, warmup, ids);
          System.out.printf("[%s] warm-up: %.1f tx/s at 16 clients (discarded)%n", system,
              w.txPerSecond());
          for (int c : clients) {
            report.noteLoad(system + " " + c + " clients");
            NeoLoad.Result r = NeoLoad.run(system.trim(), driver, c, warmup, seconds, ids);
            System.out.printf("[%s] %3d clients: %8.1f tx/s  p50 %7.2f ms  p99 %7.2f ms"
                + "  errors %d %s  (loadavg %s)%n", system, c, r.txPerSecond(), r.p50Millis(),
                r.p99Millis(), r.errors(), r.errors() > 0 ? r.errorKinds() : "", NeoReport.load());
            report.add(r);
          }
        }
        if (cluster && trials > 0) {
          report.noteLoad("failover");
          report.failover(new NeoFailover(servers, System.out::println, ids).run(trials));
        }
      }
    }
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

  private static Driver driver(String uri) {
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
