package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.driver.Bookmark;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * The set workload (docs/TESTING.md Tier 5): clients insert unique values; at the end every
 * acknowledged insert is present on every member, nothing is present that was never attempted,
 * and no value is present twice. Meanwhile one reader per member, pinned to that member with a
 * direct Bolt connection, checks what read-committed does promise: one reader on one member never
 * sees a value disappear, and never sees a value nobody has tried to insert yet.
 *
 * <p>An insert is a {@code MERGE}, so the driver's retry after an unknown commit cannot create a
 * duplicate; a duplicate at the end therefore means the store applied one transaction twice.
 */
public final class SetWorkload {

  /** Shape of a run. */
  public record Options(int writers, long maxOps) {

    public static Options defaults() {
      return new Options(3, 3_000);
    }
  }

  /** One history event. */
  public record Event(int client, String kind, long value, String outcome, int seen,
      long invokeNanos, long returnNanos) {
  }

  private static final String ALL = "MATCH (e:SetElement) RETURN collect(e.value) AS vs";

  private final Options options;

  public SetWorkload(Options options) {
    this.options = options;
  }

  public WorkloadResult run(Cluster cluster, Duration duration, long seed) throws Exception {
    System.out.println("[set] seed=" + seed + " options=" + options + " on " + cluster);
    RunState run = new RunState(seed);
    Set<Long> attempted = ConcurrentHashMap.newKeySet();
    Set<Long> acked = ConcurrentHashMap.newKeySet();
    List<URI> members = cluster.memberBoltUris();
    List<Driver> pinnedDrivers = new ArrayList<>();
    try (Driver router = Clients.driver(cluster.routingUri(), Duration.ofSeconds(15))) {
      try (Session s = Clients.writeSession(router)) {
        s.executeWrite(tx -> tx.run("MATCH (e:SetElement) DETACH DELETE e").consume());
        run.clients.remember(s);
      }
      long[] seq = new long[options.writers()];
      try (ClientGroup group = new ClientGroup("set", options.writers() + members.size(),
          duration, options.maxOps(), run, cluster.nemesis());
          NemesisSchedule nemesis = new NemesisSchedule(cluster, duration.dividedBy(4), seed,
              run.history, run.problems)) {
        for (int c = 0; c < options.writers(); c++) {
          group.start(c, (id, rnd) -> insert(router, run, id, ++seq[id], attempted, acked));
        }
        for (int m = 0; m < members.size(); m++) {
          Driver pinned = Clients.driver(members.get(m), Duration.ofSeconds(5));
          pinnedDrivers.add(pinned);
          Set<Long> previous = new HashSet<>();
          group.start(options.writers() + m, (id, rnd) -> readPinned(pinned, run, id, previous,
              attempted));
        }
        group.awaitAll(Duration.ofSeconds(60));
      }
    } finally {
      pinnedDrivers.forEach(Driver::close);
    }
    Runs.heal(cluster, run.problems);
    Map<String, Set<Long>> contents = new HashMap<>();
    for (URI member : members) {
      contents.put(member.toString(), finalCheck(member, run, attempted, acked));
    }
    run.problems.check(new HashSet<>(contents.values()).size() > 1,
        "members hold different sets (sizes " + sizes(contents) + ")");
    run.stats.put("acked", acked.size());
    run.stats.put("attempted", attempted.size());
    return run.result("set", Runs.compareDigests(cluster, run.problems));
  }

  private boolean insert(Driver router, RunState run, int client, long seq, Set<Long> attempted,
      Set<Long> acked) {
    long value = (client + 1) * 1_000_000_000L + seq;
    attempted.add(value); // before the call: a reader may see it as soon as it is sent
    long inv = System.nanoTime();
    String outcome = "ok";
    try (Session s = Clients.writeSession(router)) {
      s.executeWrite(tx -> tx.run("MERGE (:SetElement {value: $v})", Map.of("v", value))
          .consume());
      run.clients.remember(s);
      acked.add(value);
      run.ok.incrementAndGet();
      run.writesOk.incrementAndGet();
    } catch (Exception e) {
      outcome = run.unknown(e);
    }
    run.history.add(new Event(client, "insert", value, outcome, -1, inv, System.nanoTime()));
    return true;
  }

  private boolean readPinned(Driver pinned, RunState run, int client, Set<Long> previous,
      Set<Long> attempted) {
    long inv = System.nanoTime();
    try (Session s = Clients.readSession(pinned, Set.of())) {
      List<Long> values = s.executeRead(tx -> tx.run(ALL).single().get("vs").asList(
          v -> v.asLong()));
      Set<Long> seen = new HashSet<>(values);
      run.ok.incrementAndGet();
      Set<Long> lost = new HashSet<>(previous);
      lost.removeAll(seen);
      run.problems.check(!lost.isEmpty(), "reader " + client + " saw values disappear: "
          + first(lost));
      Set<Long> phantom = new HashSet<>(seen);
      phantom.removeAll(attempted);
      run.problems.check(!phantom.isEmpty(), "reader " + client + " saw never-attempted values: "
          + first(phantom));
      previous.addAll(seen);
      run.history.add(new Event(client, "read", -1, "ok", seen.size(), inv, System.nanoTime()));
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }

  private Set<Long> finalCheck(URI member, RunState run, Set<Long> attempted, Set<Long> acked) {
    Set<Bookmark> bookmarks = run.clients.bookmarks();
    List<Long> values;
    try (Driver d = Clients.driver(member, Duration.ofSeconds(30));
        Session s = Clients.readSession(d, bookmarks)) {
      values = s.executeRead(tx -> tx.run(ALL).single().get("vs").asList(v -> v.asLong()));
    } catch (Exception e) {
      run.problems.add("final read on " + member + " failed: " + OpOutcome.describe(e));
      return Set.of();
    }
    Set<Long> present = new HashSet<>(values);
    String where = "at the end on " + member;
    run.problems.check(present.size() != values.size(), where + " "
        + (values.size() - present.size()) + " values are present twice");
    Set<Long> missing = new HashSet<>(acked);
    missing.removeAll(present);
    run.problems.check(!missing.isEmpty(), where + " " + missing.size()
        + " acknowledged inserts are missing, e.g. " + first(missing));
    Set<Long> phantom = new HashSet<>(present);
    phantom.removeAll(attempted);
    run.problems.check(!phantom.isEmpty(), where + " " + phantom.size()
        + " values were never attempted, e.g. " + first(phantom));
    return present;
  }

  private static Object first(Set<Long> s) {
    return s.stream().sorted().limit(5).toList();
  }

  private static Map<String, Integer> sizes(Map<String, Set<Long>> contents) {
    Map<String, Integer> out = new HashMap<>();
    contents.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }
}
