package io.graft.cluster;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.net.ServerAddress;
import org.neo4j.driver.summary.ResultSummary;
import org.neo4j.driver.summary.SummaryCounters;

/**
 * {@code ./graft cypher [--member N] [--param k=v]... [--dir DIR] 'QUERY'}: runs one Cypher
 * statement against the local cluster and prints a table (the assembled servers come without
 * cypher-shell). Without {@code --member} it goes through a {@code neo4j://} driver that knows
 * every member as a router, so writes reach the leader wherever it is; with {@code --member N} it
 * runs on that member alone ({@code bolt://}), e.g. {@code CALL raft.status()} there.
 */
public final class CypherCli {
  static final String USAGE = "usage: graft cypher [--member N] [--param name=value]..."
      + " [--dir DIR] 'QUERY'\n  values: 42, 1.5, true, false, null, \"text\" or text";

  private CypherCli() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("graft: " + e.getMessage());
      System.exit(1);
    } catch (Neo4jException e) {
      System.err.println("graft: " + e.code() + ": " + e.getMessage());
      System.exit(1);
    }
  }

  static int run(String[] args, PrintStream out) {
    String[] withCommand = new String[args.length + 1];
    withCommand[0] = "cypher";
    System.arraycopy(args, 0, withCommand, 1, args.length);
    CliArgs cli = CliArgs.parse(withCommand, Set.of("--member", "--param", "--dir"), Set.of(),
        USAGE);
    if (cli.positional().size() != 1) {
      throw new IllegalArgumentException("give the query as one argument (quote it)\n" + USAGE);
    }
    Map<String, Object> params = parameters(cli.all("--param"));
    Path dir = Path.of(cli.option("--dir", ".cluster")).toAbsolutePath();
    ClusterLayout layout = ClusterLayout.load(dir).orElseThrow(() -> new IllegalStateException(
        "no cluster in " + dir + " (start one: ./graft cluster start)"));
    Integer member = cli.has("--member") ? cli.intOption("--member", 1) : null;
    if (member != null && member > layout.members().size()) {
      throw new IllegalArgumentException("no member-" + member + ": the cluster has "
          + layout.members().size() + " members");
    }
    try (Driver driver = driver(layout, member);
        Session session = driver.session(SessionConfig.forDatabase("neo4j"))) {
      long began = System.nanoTime();
      Result result = session.run(cli.positional().get(0), params);
      List<Record> records = result.list();
      ResultSummary summary = result.consume();
      out.print(ResultTable.render(result.keys(), records));
      out.println(records.size() + (records.size() == 1 ? " row" : " rows") + " from "
          + summary.server().address() + " in "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms"
          + counters(summary.counters()));
    }
    return 0;
  }

  /**
   * A {@code neo4j://} driver that may start from any member ({@code --member} absent), or a
   * {@code bolt://} driver to one member.
   */
  static Driver driver(ClusterLayout layout, Integer member) {
    Config.ConfigBuilder config = Config.builder().withLogging(Logging.none())
        .withConnectionTimeout(3, TimeUnit.SECONDS);
    if (member != null) {
      return GraphDatabase.driver(layout.member(member).boltUri(), AuthTokens.none(),
          config.build());
    }
    List<ServerAddress> routers = new ArrayList<>();
    for (MemberSpec spec : layout.members()) {
      routers.add(ServerAddress.of(MemberSpec.HOST, spec.boltPort()));
    }
    URI first = URI.create("neo4j://" + MemberSpec.HOST + ":" + layout.member(1).boltPort());
    return GraphDatabase.driver(first, AuthTokens.none(),
        config.withResolver(address -> Set.copyOf(routers)).build());
  }

  static Map<String, Object> parameters(List<String> pairs) {
    Map<String, Object> params = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--param takes name=value, not '" + pair + "'");
      }
      params.put(pair.substring(0, eq), value(pair.substring(eq + 1)));
    }
    return params;
  }

  /** 42 → long, 1.5 → double, true/false, null, "quoted" → text; anything else is text. */
  static Object value(String v) {
    if ("null".equals(v)) {
      return null;
    }
    if ("true".equals(v) || "false".equals(v)) {
      return Boolean.parseBoolean(v);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      return v.substring(1, v.length() - 1);
    }
    if (v.matches("-?[0-9]+")) {
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (v.matches("-?[0-9]*\\.[0-9]+([eE][-+]?[0-9]+)?")) {
      return Double.parseDouble(v);
    }
    return v;
  }

  private static String counters(SummaryCounters c) {
    if (!c.containsUpdates() && !c.containsSystemUpdates()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    add(parts, c.nodesCreated(), "node", "created");
    add(parts, c.nodesDeleted(), "node", "deleted");
    add(parts, c.relationshipsCreated(), "relationship", "created");
    add(parts, c.relationshipsDeleted(), "relationship", "deleted");
    add(parts, c.propertiesSet(), "property", "set");
    add(parts, c.labelsAdded(), "label", "added");
    add(parts, c.labelsRemoved(), "label", "removed");
    add(parts, c.indexesAdded(), "index", "added");
    add(parts, c.constraintsAdded(), "constraint", "added");
    return parts.isEmpty() ? "" : "; " + String.join(", ", parts);
  }

  private static void add(List<String> parts, int n, String thing, String done) {
    if (n > 0) {
      String plural = n == 1 ? thing : thing.endsWith("y") ? thing.substring(0, thing.length() - 1)
          + "ies" : thing.endsWith("x") ? thing + "es" : thing + "s";
      parts.add(n + " " + plural + " " + done);
    }
  }
}
