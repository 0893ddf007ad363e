package io.graft.cluster;

import io.graft.cluster.tls.ClusterCertificates;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * {@code ./graft cluster start|stop|status [--members N] [--dir DIR]}: the local cluster of real
 * Neo4j servers with the graft plugin. Servers outlive this JVM (pid files in each home).
 */
public final class ClusterCli {
  private static final List<String> COLUMNS = List.of("role", "term", "leaderId", "commitIndex",
      "appliedIndex", "lastLogIndex", "lastTxId");

  private final PrintStream out;
  private final ClusterOptions options;
  /** {@code --tls}: mutual TLS on the Raft links, certificates from a throwaway CA. */
  private final boolean tls;

  ClusterCli(PrintStream out, ClusterOptions options) {
    this(out, options, false);
  }

  ClusterCli(PrintStream out, ClusterOptions options, boolean tls) {
    this.out = out;
    this.options = options;
    this.tls = tls;
  }

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException | IllegalStateException | ServerStartException e) {
      System.err.println("graft: " + e.getMessage());
      System.exit(1);
    }
  }

  static int run(String[] args, PrintStream out) {
    if (args.length == 0) {
      throw new IllegalArgumentException(usage());
    }
    int members = 3;
    Path dir = Path.of(".cluster");
    Path lib = Path.of(System.getProperty("graft.neo4j.lib", "local-cluster/target/neo4j-lib"));
    Path plugin = Path.of(System.getProperty("graft.plugin.jar", "plugin/target/graft-plugin.jar"));
    boolean tls = false;
    for (int i = 1; i < args.length; i++) {
      if ("--tls".equals(args[i]) && "start".equals(args[0])) {
        tls = true;
      } else if ("--members".equals(args[i]) && i + 1 < args.length) {
        members = Integer.parseInt(args[++i]);
      } else if ("--dir".equals(args[i]) && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option " + args[i] + "\n" + usage());
      }
    }
    Optional<String> pluginProblem = PluginJar.problem(plugin);
    if ("start".equals(args[0])) {
      pluginProblem.ifPresent(p -> out.println("WARNING: " + p + "; servers run without graft."));
    }
    Path pluginJar = pluginProblem.isEmpty() ? plugin.toAbsolutePath() : null;
    ClusterOptions options = ClusterOptions.defaults(dir.toAbsolutePath(), lib.toAbsolutePath(),
        pluginJar).withMembers(members).withDetached(true).withProgress(out::println);
    ClusterCli cli = new ClusterCli(out, options, tls);
    switch (args[0]) {
      case "start":
        return cli.start();
      case "stop":
        return cli.stop();
      case "status":
        return cli.status();
      default:
        throw new IllegalArgumentException("unknown command " + args[0] + "\n" + usage());
    }
  }

  static String usage() {
    return "usage: graft cluster start [--members N] [--dir DIR] [--tls] | stop [--dir DIR]"
        + " | status [--dir DIR]";
  }

  int start() {
    if (Files.exists(options.dir().resolve(ClusterLayout.FILE))) {
      // Not try-with-resources: close() would stop the servers.
      LocalCluster running = LocalCluster.attach(options);
      try {
        if (anyAlive(running)) {
          out.println("A cluster is already running in " + options.dir() + ":");
          printTable(running);
          return 0;
        }
      } finally {
        detach(running);
      }
    }
    LocalCluster cluster = tls && options.raftEnabled()
        ? ClusterCertificates.start(options).cluster() : LocalCluster.start(options);
    try {
      printTable(cluster);
      if (options.raftEnabled()) {
        sampleWrite(cluster);
      }
      printHowTo(cluster);
      if (tls && options.raftEnabled()) {
        printTls(cluster);
      }
    } finally {
      detach(cluster);
    }
    return 0;
  }

  int stop() {
    try (LocalCluster cluster = LocalCluster.attach(options)) {
      out.println("Stopping the cluster in " + options.dir());
      cluster.stopAll();
      out.println("Stopped. Data and logs kept under " + options.dir());
    }
    return 0;
  }

  int status() {
    LocalCluster cluster = LocalCluster.attach(options);
    try {
      printTable(cluster);
      return anyAlive(cluster) ? 0 : 3;
    } finally {
      detach(cluster);
    }
  }

  private static boolean anyAlive(LocalCluster cluster) {
    for (int m = 1; m <= cluster.size(); m++) {
      if (cluster.server(m).isAlive()) {
        return true;
      }
    }
    return false;
  }

  /** Closes the drivers only: detached servers keep running after the CLI exits. */
  private static void detach(LocalCluster cluster) {
    cluster.probe().close();
  }

  void printTable(LocalCluster cluster) {
    StringBuilder header = new StringBuilder(String.format("%-9s %-8s %-23s", "member", "pid",
        "bolt"));
    COLUMNS.forEach(c -> header.append(String.format(" %-" + width(c) + "s", c)));
    out.println(header);
    for (int m = 1; m <= cluster.size(); m++) {
      ServerProcess server = cluster.server(m);
      StringBuilder line = new StringBuilder(String.format("%-9s %-8s %-23s", "member-" + m,
          server.isAlive() ? Long.toString(server.pid()) : "down", cluster.boltUri(m)));
      Optional<Map<String, Object>> row =
          server.isAlive() && options.raftEnabled() ? cluster.probe().status(m) : Optional.empty();
      for (String column : COLUMNS) {
        Object value = row.map(r -> r.get(column)).orElse(row.isPresent() ? "?" : "-");
        line.append(String.format(" %-" + width(column) + "s", value));
      }
      out.println(line);
    }
  }

  private static int width(String column) {
    return "leaderId".equals(column) ? 21 : Math.max(8, column.length());
  }

  private void sampleWrite(LocalCluster cluster) {
    int leader = cluster.awaitLeader();
    String id;
    try (Session session = cluster.probe().session(leader)) {
      Record row = session.run("CREATE (n:GraftDemo {note: $note, at: toString(datetime())}) "
          + "RETURN elementId(n) AS id", Values.parameters("note", "written on member-" + leader))
          .single();
      id = row.get("id").asString();
    }
    out.println();
    out.println("Sample write on the leader (member-" + leader + "): elementId " + id);
    for (int m = 1; m <= cluster.size(); m++) {
      out.println("  member-" + m + " reads it back: " + readBack(cluster, m, id));
    }
  }

  private static String readBack(LocalCluster cluster, int member, String id) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      try (Session session = cluster.probe().session(member)) {
        List<Record> rows = session.run("MATCH (n:GraftDemo) WHERE elementId(n) = $id "
            + "RETURN elementId(n) AS id, n.note AS note", Values.parameters("id", id)).list();
        if (!rows.isEmpty()) {
          return "elementId " + rows.get(0).get("id").asString() + ", note '"
              + rows.get(0).get("note").asString() + "'";
        }
      } catch (RuntimeException e) {
        // not reachable yet: retry until the deadline
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    return "NOT FOUND after 15 s";
  }

  /** How the TLS setup was made, so a user can copy it onto real servers. */
  private void printTls(LocalCluster cluster) {
    out.println();
    out.println("Raft links use mutual TLS (Neo4j's cluster SSL policy). Each member's neo4j.conf"
        + " has:");
    ClusterCertificates.SETTINGS.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> out.println("  " + e.getKey() + "=" + e.getValue()));
    out.println("and its files in <home>/" + ClusterCertificates.POLICY_DIRECTORY
        + "/: private.key, public.crt (naming " + MemberSpec.HOST + "), trusted/ (the CA),"
        + " revoked/");
    out.println("e.g. " + cluster.home(1).resolve(ClusterCertificates.POLICY_DIRECTORY));
    out.println("The throwaway CA: " + options.dir().resolve("certificates")
        + "/ca.crt, ca.key (local use only). Steps for your own servers: README \"Security\".");
  }

  private void printHowTo(LocalCluster cluster) {
    List<String> uris = new ArrayList<>();
    for (int m = 1; m <= cluster.size(); m++) {
      uris.add(cluster.boltUri(m));
    }
    out.println();
    out.println("The cluster keeps running. Connect with any Neo4j driver or cypher-shell:");
    out.println("  " + String.join("  ", uris) + "   (auth disabled)");
    out.println("  neo4j://" + cluster.layout().member(1).boltUri().substring("bolt://".length())
        + "   routes writes to the leader");
    String dirOption = options.dir().equals(Path.of(".cluster").toAbsolutePath())
        ? "" : " --dir " + options.dir();
    out.println("Logs: " + options.dir() + "/member-N/logs/");
    out.println("Status: ./graft cluster status" + dirOption + "   Stop: ./graft cluster stop"
        + dirOption);
  }
}
