package io.graft.it.faults;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.MemberSpec;
import io.graft.it.workload.SetWorkload;
import io.graft.it.workload.WorkloadResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * What the fault scripts of {@link FiveMemberFaultsIT} and {@link DiskFullIT} observe and do on a
 * real cluster, each wait bounded by {@code effect}: who leads, a new leader in a higher term, a
 * deposed leader stepping down, writes committing on a member (the set workload's elements),
 * leadership transfers and membership calls over direct Bolt (never through a cut link). A wait
 * whose effect does not show records a problem in the script, so the test fails.
 */
final class ClusterWatch {
  /** Committed-looking progress a step waits for: this many more set elements. */
  static final int PROGRESS = 3;
  private static final String COUNT = "MATCH (e:SetElement) RETURN count(e)";
  private static final Pattern ROLE = Pattern.compile("\"role\"\\s*:\\s*\"([A-Z_]+)\"");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final LocalCluster cluster;
  private final Duration effect;
  private final Consumer<String> log;

  ClusterWatch(LocalCluster cluster, Duration effect, Consumer<String> log) {
    this.cluster = cluster;
    this.effect = effect;
    this.log = log;
  }

  /** The leader every one of {@code members} names (bounded). */
  int leaderAmong(List<Integer> members) {
    return cluster.probe().awaitLeader(members, effect, log);
  }

  /** A leader among {@code members} in a term above {@code term} (bounded; a problem if not). */
  int newLeader(ScriptedNemesis s, List<Integer> members, long term) {
    FaultClusters.Polled<Integer> seen = FaultClusters.poll(effect, Duration.ofMillis(100),
        () -> {
          try {
            int leader = cluster.probe().awaitLeader(members, Duration.ofSeconds(5), line -> { });
            return term(leader) > term ? leader : -1;
          } catch (IllegalStateException notYet) {
            return -1; // no agreed leader yet
          }
        }, leader -> leader > 0);
    if (!seen.held()) {
      s.problem("no new leader among " + names(members) + " above term " + term + " within "
          + effect.toSeconds() + " s");
      throw new AssertionError("no new leader among " + names(members));
    }
    return seen.last();
  }

  /** The member stops being LEADER (CheckQuorum, thesis §6.2), bounded. */
  void awaitStepDown(ScriptedNemesis s, int member) {
    FaultClusters.Polled<Map<String, Object>> seen = FaultClusters.poll(effect,
        Duration.ofMillis(100), () -> cluster.probe().status(member).orElse(Map.of()),
        row -> !row.isEmpty() && !"LEADER".equals(row.get("role")));
    if (!seen.held()) {
      s.problem("member-" + member + " still LEADER after being cut off: " + seen.last());
    }
  }

  /**
   * {@code member}'s role once it reports {@code role} (bounded): {@code raft.status()} over Bolt,
   * or, when the database does not answer (Neo4j panicked it after its own transaction log could
   * not be written), the plugin's HTTP status document {@code /db/neo4j/cluster/status}, which
   * reads the Raft node, not the database.
   */
  Map<String, Object> awaitRole(ScriptedNemesis s, int member, String role) {
    FaultClusters.Polled<Map<String, Object>> seen = FaultClusters.poll(effect,
        Duration.ofMillis(100), () -> status(member), row -> role.equals(row.get("role")));
    if (!seen.held()) {
      s.problem("member-" + member + " never reported role " + role + ": " + seen.last());
    }
    return seen.last();
  }

  /** {@code raft.status()} of {@code member}, else its HTTP status document's role, else why. */
  Map<String, Object> status(int member) {
    String bolt;
    try (Session session = cluster.probe().session(member)) {
      return new LinkedHashMap<>(session.run("CALL raft.status()").single().asMap());
    } catch (RuntimeException e) {
      bolt = String.valueOf(e.getMessage());
    }
    String url = "http://" + MemberSpec.HOST + ":" + cluster.layout().member(member).httpPort()
        + "/db/neo4j/cluster/status";
    try {
      HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      Matcher role = ROLE.matcher(answer.body());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("bolt", bolt);
      row.put("http", answer.statusCode());
      if (role.find()) {
        row.put("role", role.group(1));
      }
      return row;
    } catch (IOException | RuntimeException e) {
      return Map.of("bolt", bolt, "http", String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of("bolt", bolt, "http", "interrupted");
    }
  }

  /** Waits (bounded) until {@code member} holds {@link #PROGRESS} more set elements. */
  String awaitWrites(ScriptedNemesis s, int member) {
    long[] before = {count(member)};
    long began = System.nanoTime();
    FaultClusters.Polled<Long> seen = FaultClusters.poll(effect, Duration.ofMillis(100), () -> {
      long now = count(member);
      if (before[0] < 0) {
        before[0] = now;
      }
      return now;
    }, now -> before[0] >= 0 && now >= before[0] + PROGRESS);
    if (!seen.held()) {
      s.problem("no writes committed on member-" + member + " within " + effect.toSeconds()
          + " s");
      return "NO writes on member-" + member;
    }
    return "writes committed on member-" + member + " (" + before[0] + " -> " + seen.last()
        + " set elements in " + (System.nanoTime() - began) / 1_000_000 + " ms)";
  }

  private long count(int member) {
    try (Session session = cluster.probe().session(member)) {
      return session.run(COUNT).single().get(0).asLong();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  long term(int member) {
    return cluster.probe().status(member).map(r -> r.get("term"))
        .filter(Long.class::isInstance).map(Long.class::cast).orElse(-1L);
  }

  /** Hands leadership from {@code from} to {@code to}; checks {@code to} leads {@code members}. */
  void transferLeadership(int from, int to, List<Integer> members) {
    callOn(from, "CALL raft.transferLeadership($m)", id(to));
    int now = leaderAmong(members);
    if (now != to) {
      throw new AssertionError("leadership went to member-" + now + ", not member-" + to);
    }
  }

  /** Runs a membership procedure on {@code member}; returns the rows it yielded, briefly. */
  String callOn(int member, String cypher, String arg) {
    try (Session session = cluster.probe().session(member)) {
      List<Record> rows = session.run(cypher, Values.parameters("m", arg)).list();
      List<String> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.get("memberId").asString() + (r.containsKey("voting")
          ? "/" + r.get("role").asString() : "")));
      return "ok " + out;
    }
  }

  /** The voting members in {@code member}'s configuration. */
  List<String> voters(int member) {
    try (Session session = cluster.probe().session(member)) {
      return session.run("CALL raft.members() YIELD memberId, voting WHERE voting"
          + " RETURN memberId").list(r -> r.get(0).asString());
    }
  }

  /** A member's id: its advertised Raft address. */
  String id(int member) {
    return cluster.layout().member(member).raftAdvertisedAddress();
  }

  /** The set workload's events of a run. */
  static List<SetWorkload.Event> events(WorkloadResult r) {
    List<SetWorkload.Event> events = new ArrayList<>();
    for (Object o : r.history()) {
      if (o instanceof SetWorkload.Event e) {
        events.add(e);
      }
    }
    return events;
  }

  /** The distinct errors the workload's clients saw, with counts (what a user sees). */
  static Map<String, Integer> errorsSeen(WorkloadResult r) {
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (SetWorkload.Event e : events(r)) {
      if (!e.outcome().equals("ok")) {
        String key = e.outcome().length() > 160 ? e.outcome().substring(0, 160) : e.outcome();
        seen.merge(key, 1, Integer::sum);
      }
    }
    return seen;
  }

  /** Inserts invoked at or after {@code from} and acknowledged before {@code to}. */
  static long acked(List<SetWorkload.Event> history, long from, long to) {
    return history.stream().filter(e -> e.kind().equals("insert") && e.outcome().equals("ok")
        && e.invokeNanos() >= from && e.returnNanos() <= to).count();
  }

  static List<Integer> others(List<Integer> members, List<Integer> except) {
    List<Integer> out = new ArrayList<>(members);
    out.removeAll(except);
    return out;
  }

  static String names(List<Integer> members) {
    List<String> names = new ArrayList<>();
    members.forEach(m -> names.add("member-" + m));
    return "{" + String.join(", ", names) + "}";
  }
}
