package io.graft.cluster;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * {@code ./graft backup --to DIR [--dump]}: {@code CALL raft.backup(DIR)} on a follower of the
 * local cluster (a backup is taken online; on a follower the leader's writes are not slowed),
 * on the leader if no follower answers. Prints the procedure's row and how to use the backup.
 */
public final class ClusterBackup {
  static final String USAGE = "usage: graft backup --to DIR [--dump] [--dir DIR]";

  private final PrintStream out;
  private final ClusterOptions options;

  ClusterBackup(PrintStream out, ClusterOptions options) {
    this.out = out;
    this.options = options;
  }

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException | IllegalStateException
        | org.neo4j.driver.exceptions.Neo4jException e) {
      System.err.println("graft: " + e.getMessage());
      System.exit(1);
    }
  }

  static int run(String[] args, PrintStream out) {
    String[] withCommand = new String[args.length + 1];
    withCommand[0] = "backup";
    System.arraycopy(args, 0, withCommand, 1, args.length);
    CliArgs cli = CliArgs.parse(withCommand, Set.of("--to", "--dir"), Set.of("--dump"), USAGE);
    if (!cli.has("--to") || !cli.positional().isEmpty()) {
      throw new IllegalArgumentException("name the backup directory with --to DIR\n" + USAGE);
    }
    Path dir = Path.of(cli.option("--dir", ".cluster")).toAbsolutePath();
    Path lib = Path.of(System.getProperty("graft.neo4j.lib", "local-cluster/target/neo4j-lib"));
    ClusterOptions options = ClusterOptions.defaults(dir, lib.toAbsolutePath(), null)
        .withDetached(true).withProgress(out::println);
    return new ClusterBackup(out, options).run(
        Path.of(cli.option("--to", "")).toAbsolutePath().normalize(), cli.has("--dump"));
  }

  int run(Path to, boolean dump) {
    LocalCluster cluster = LocalCluster.attach(options);
    try {
      int member = pick(cluster);
      out.println("Backing up the replicated database on member-" + member + " into " + to
          + (dump ? " (with a .dump)" : "") + "; writes continue meanwhile...");
      Record row;
      try (Session s = cluster.probe().session(member)) {
        row = s.run("CALL raft.backup($d, {dump: $dump})",
            Values.parameters("d", to.toString(), "dump", dump)).single();
      }
      out.printf("  directory %s%n  appliedIndex %d, lastTxId %d, %d bytes in %d ms%n",
          row.get("directory").asString(), row.get("appliedIndex").asLong(),
          row.get("lastTxId").asLong(), row.get("bytes").asLong(), row.get("millis").asLong());
      out.println("A plain Neo4j 5.26 server starts on it with server.directories.data=" + to
          + "; a graft server started on it alone seeds a new cluster (README \"Backups\").");
      return 0;
    } finally {
      cluster.probe().close();
    }
  }

  /** A running follower, else the leader. */
  private static int pick(LocalCluster cluster) {
    Integer leader = null;
    for (int m = 1; m <= cluster.size(); m++) {
      if (!cluster.server(m).isAlive()) {
        continue;
      }
      Optional<Map<String, Object>> status = cluster.probe().status(m);
      if (status.isEmpty()) {
        continue;
      }
      Object role = status.get().get("role");
      if ("FOLLOWER".equals(role)) {
        return m;
      }
      if ("LEADER".equals(role)) {
        leader = m;
      }
    }
    if (leader == null) {
      throw new IllegalStateException("no member of the cluster in " + cluster.layout()
          + " answers raft.status(); is it running? (./graft cluster status)");
    }
    return leader;
  }
}
