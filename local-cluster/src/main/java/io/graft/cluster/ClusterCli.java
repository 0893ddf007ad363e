package io.graft.cluster;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * {@code ./graft cluster start|stop|status|add|kill N|restart N [--members N] [--dir DIR]}: the
 * local cluster of real Neo4j servers with the graft plugin. Servers outlive this JVM (pid files
 * in each home). {@code ./graft cypher} is {@link CypherCli}.
 */
public final class ClusterCli {
  private static final List<String> COLUMNS = List.of("role", "term", "leaderId", "commitIndex",
      "appliedIndex", "lastLogIndex", "lastTxId");

  private final PrintStream out;
  private final ClusterOptions options;

  ClusterCli(PrintStream out, ClusterOptions options) {
    this.out = out;
    this.options = options;
  }

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException | IllegalStateException | ServerStartException
        | org.neo4j.driver.exceptions.Neo4jException e) {
      System.err.println("graft: " + e.getMessage());
      System.exit(1);
    }
  }

  static final Set<String> VALUED = Set.of("--members", "--dir");

  static int run(String[] args, PrintStream out) {
    CliArgs cli = CliArgs.parse(args, VALUED, Set.of(), usage());
    Path dir = Path.of(cli.option("--dir", ".cluster"));
    Path lib = Path.of(System.getProperty("graft.neo4j.lib", "local-cluster/target/neo4j-lib"));
    Path plugin = Path.of(System.getProperty("graft.plugin.jar", "plugin/target/graft-plugin.jar"));
    Optional<String> pluginProblem = PluginJar.problem(plugin);
    if ("start".equals(cli.command())) {
      pluginProblem.ifPresent(p -> out.println("WARNING: " + p + "; servers run without graft."));
    }
    Path pluginJar = pluginProblem.isEmpty() ? plugin.toAbsolutePath() : null;
    ClusterOptions options = ClusterOptions.defaults(dir.toAbsolutePath(), lib.toAbsolutePath(),
        pluginJar).withMembers(cli.intOption("--members", 3)).withDetached(true)
        .withProgress(out::println);
    ClusterCli command = new ClusterCli(out, options);
    switch (cli.command()) {
      case "start":
        return command.start(cli.has("--members"));
      case "stop":
        return command.stop();
      case "status":
        return command.status();
      case "add":
        return command.add();
      case "kill":
        return command.kill(member(cli));
      case "restart":
        return command.restart(member(cli));
      default:
        throw new IllegalArgumentException("unknown command " + cli.command() + "\n" + usage());
    }
  }

  private static int member(CliArgs cli) {
    if (cli.positional().size() != 1 || !cli.positional().get(0).matches("[1-9][0-9]*")) {
      throw new IllegalArgumentException(cli.command() + " takes one member number, e.g. "
          + "./graft cluster " + cli.command() + " 2\n" + usage());
    }
    return Integer.parseInt(cli.positional().get(0));
  }

  static String usage() {
    return "usage: graft cluster start [--members N] [--dir DIR] | stop | status | add"
        + " | kill N | restart N   (each takes --dir DIR)";
  }

  int start(boolean membersGiven) {
    Optional<ClusterLayout> existing = ClusterLayout.load(options.dir());
    ClusterOptions opts = options;
    if (existing.isPresent()) {
      int size = existing.get().members().size();
      if (membersGiven && size != options.members()) {
        throw new IllegalStateException("the cluster in " + options.dir() + " has " + size
            + " members, not " + options.members() + "; start it as it is, or use another"
            + " --dir for a new one");
      }
      opts = options.withMembers(size);
      // Not try-with-resources: close() would stop the servers.
      LocalCluster running = LocalCluster.attach(opts);
      try {
        if (anyAlive(running)) {
          out.println("A cluster is already running in " + options.dir() + ":");
          printTable(running);
          printHealth(running);
          return 0;
        }
      } finally {
        detach(running);
      }
    } else {
      prepareStableLayout();
    }
    LocalCluster cluster = LocalCluster.start(opts);
    try {
      printTable(cluster);
      if (opts.raftEnabled()) {
        sampleWrite(cluster);
      }
      printHowTo(cluster);
    } finally {
      detach(cluster);
    }
    return 0;
  }

  /**
   * A new cluster gets member-N on Bolt 7687+N-1, HTTP 7474+N-1 and Raft 7000+N-1 where free
   * (saved before the homes are assembled, which then reuse it); taken ports are replaced by free
   * ones, and said so.
   */
  private void prepareStableLayout() {
    try {
      Files.createDirectories(options.dir());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + options.dir(), e);
    }
    ClusterLayout.stable(options.members(), out::println).save(options.dir());
  }

  int add() {
    LocalCluster cluster = attachRunning();
    try {
      int added = cluster.addMember(layout -> layout.withStableMember(out::println));
      out.println();
      printTable(cluster);
      printHealth(cluster);
      out.println("member-" + added + " joined. Its logs: " + cluster.home(added).resolve("logs"));
    } finally {
      detach(cluster);
    }
    return 0;
  }

  int kill(int member) {
    LocalCluster cluster = attachRunning();
    try {
      checkMember(cluster, member);
      if (!cluster.server(member).isAlive()) {
        out.println("member-" + member + " is not running.");
        return 0;
      }
      long pid = cluster.pid(member);
      cluster.kill9(member);
      out.println("Killed member-" + member + " (kill -9 " + pid + "): no shutdown, nothing"
          + " flushed, as in a crash. Bring it back with ./graft cluster restart " + member
          + dirOption());
      out.println("Watch the failover in the cluster view: "
          + HealthCheck.viewUrl(cluster.layout().member(firstOtherAlive(cluster, member))));
    } finally {
      detach(cluster);
    }
    return 0;
  }

  int restart(int member) {
    LocalCluster cluster = attachRunning();
    try {
      checkMember(cluster, member);
      out.println((cluster.server(member).isAlive() ? "Restarting" : "Starting") + " member-"
          + member);
      cluster.restart(member);
      out.println("  member-" + member + " started: pid " + cluster.pid(member));
      printTable(cluster);
      printHealth(cluster);
    } finally {
      detach(cluster);
    }
    return 0;
  }

  private LocalCluster attachRunning() {
    LocalCluster cluster = LocalCluster.attach(options);
    if (!anyAlive(cluster)) {
      detach(cluster);
      throw new IllegalStateException("no member of the cluster in " + options.dir()
          + " is running (start it: ./graft cluster start" + dirOption() + ")");
    }
    return cluster;
  }

  private static void checkMember(LocalCluster cluster, int member) {
    if (member > cluster.size()) {
      throw new IllegalArgumentException("no member-" + member + ": the cluster has "
          + cluster.size() + " members");
    }
  }

  private static int firstOtherAlive(LocalCluster cluster, int except) {
    for (int m = 1; m <= cluster.size(); m++) {
      if (m != except && cluster.server(m).isAlive()) {
        return m;
      }
    }
    return except;
  }

  private String dirOption() {
    return options.dir().equals(Path.of(".cluster").toAbsolutePath())
        ? "" : " --dir " + options.dir();
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
      printHealth(cluster);
      return anyAlive(cluster) ? 0 : 3;
    } finally {
      detach(cluster);
    }
  }

  /** What a load balancer sees on each member, and where the live view is. */
  void printHealth(LocalCluster cluster) {
    if (!options.raftEnabled()) {
      return;
    }
    out.println();
    out.println(String.format("%-9s %-24s %-9s %-9s %-9s", "member", "http", "writable",
        "read-only", "available"));
    Integer viewMember = null;
    for (int m = 1; m <= cluster.size(); m++) {
      MemberSpec spec = cluster.layout().member(m);
      StringBuilder line = new StringBuilder(String.format("%-9s %-24s", "member-" + m,
          HealthCheck.baseUrl(spec)));
      if (!cluster.server(m).isAlive()) {
        line.append(" down");
      } else {
        for (int code : HealthCheck.codes(spec, "neo4j").values()) {
          line.append(String.format(" %-9s", code < 0 ? "no answer" : Integer.toString(code)));
        }
        viewMember = viewMember == null ? m : viewMember;
      }
      out.println(line);
    }
    if (viewMember != null) {
      out.println("Live cluster view: " + HealthCheck.viewUrl(cluster.layout().member(viewMember))
          + "   Metrics: " + HealthCheck.baseUrl(cluster.layout().member(viewMember))
          + "/graft/metrics");
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

  private void printHowTo(LocalCluster cluster) {
    List<String> uris = new ArrayList<>();
    for (int m = 1; m <= cluster.size(); m++) {
      uris.add(cluster.boltUri(m));
    }
    printHealth(cluster);
    out.println();
    out.println("The cluster keeps running. Query it (no cypher-shell needed):");
    out.println("  ./graft cypher" + dirOption() + " 'MATCH (n) RETURN count(n) AS nodes'"
        + "          routed like a neo4j:// driver");
    out.println("  ./graft cypher" + dirOption() + " --member 2 'CALL raft.status()'"
        + "           on one member");
    out.println("Or with any Neo4j driver (auth disabled): neo4j://"
        + cluster.layout().member(1).boltUri().substring("bolt://".length())
        + " routes writes to the leader; " + String.join("  ", uris));
    out.println("Try failover: ./graft cluster kill N" + dirOption() + "   then restart N;"
        + " grow it: ./graft cluster add" + dirOption());
    out.println("Logs: " + options.dir() + "/member-N/logs/");
    out.println("Status: ./graft cluster status" + dirOption() + "   Stop: ./graft cluster stop"
        + dirOption());
  }
}
