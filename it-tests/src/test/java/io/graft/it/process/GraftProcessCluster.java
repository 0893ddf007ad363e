package io.graft.it.process;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.harness.Digests;
import io.graft.it.workload.Cluster;
import io.graft.it.workload.Nemesis;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The workloads' {@link Cluster} seam over a real 3-server graft cluster ({@link LocalCluster}).
 * Writes go through a {@link LeaderForwarder} (no {@code neo4j://} routing yet). The nemesis is a
 * {@link ProcessNemesis}: kill -9, SIGSTOP/SIGCONT or Raft-link partitions as the run's
 * {@link FaultPlan} says, each fault undone by the next strike or the final heal, all of it
 * logged in {@link #schedule()}. {@link #digests()} is taken with
 * {@code raft.digest()} once every member reports the same applied index and digest (§5.3: once
 * the logs match and are applied, the state machines must be identical).
 */
final class GraftProcessCluster implements Cluster, AutoCloseable {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private final LocalCluster cluster;
  private final LeaderForwarder forwarder;
  private final List<String> schedule = Collections.synchronizedList(new ArrayList<>());
  private final ProcessNemesis nemesis;

  GraftProcessCluster(LocalCluster cluster) throws IOException {
    this.cluster = cluster;
    this.forwarder = new LeaderForwarder(cluster);
    this.nemesis = new ProcessNemesis(cluster, this::log);
  }

  /** Starts a fresh run with {@code plan}: nothing injected, an empty schedule. */
  void resetFaults(FaultPlan plan) {
    nemesis.reset(plan);
    schedule.clear();
    log("plan: " + plan);
  }

  /** The faults injected since the last reset, with timestamps, for logs and assertions. */
  List<String> schedule() {
    return List.copyOf(schedule);
  }

  /** How many faults the run injected, and the elections its leader faults caused. */
  ProcessNemesis faults() {
    return nemesis;
  }

  @Override
  public List<URI> memberBoltUris() {
    List<URI> uris = new ArrayList<>();
    for (int m = 1; m <= cluster.size(); m++) {
      uris.add(URI.create(cluster.layout().member(m).boltUri()));
    }
    return uris;
  }

  /** Not a routing address: the leader forwarder's {@code bolt://} address. */
  @Override
  public URI routingUri() {
    return forwarder.uri();
  }

  @Override
  public Nemesis nemesis() {
    return new Nemesis() {
      @Override
      public String strike(Random rnd) {
        return GraftProcessCluster.this.strike(rnd);
      }

      @Override
      public void heal() {
        GraftProcessCluster.this.heal();
      }

      @Override
      public boolean finished() {
        return nemesis.finished();
      }

      @Override
      public String inForce() {
        return nemesis.inForce();
      }
    };
  }

  private String strike(Random rnd) {
    String what = nemesis.strike(rnd);
    log(what);
    return what;
  }

  private void heal() {
    nemesis.heal();
    int leader = cluster.awaitLeader();
    long applied = awaitSameAppliedIndex();
    log("heal: leader member-" + leader + ", every member applied index " + applied);
  }

  private void log(String what) {
    String line = "t=" + System.currentTimeMillis() + " " + what;
    schedule.add(line);
    System.out.println("[workloads-on-cluster] fault: " + line);
  }

  /** Bounded wait until all members answer {@code raft.status()} with one applied index. */
  long awaitSameAppliedIndex() {
    return Digests.awaitSameAppliedIndex(cluster, cluster.members(), CONVERGE);
  }

  /**
   * {@code raft.digest()} of every member once all agree ({@link Digests#awaitSame}), keyed by
   * Bolt URI; after {@link #CONVERGE} without agreement, the last answers (the workload's check
   * then reports the difference).
   */
  @Override
  public Map<String, String> digests() {
    Map<Integer, Optional<Digests.Row>> rows = new LinkedHashMap<>();
    try {
      Digests.awaitSame(cluster, CONVERGE).forEach((m, row) -> rows.put(m, Optional.of(row)));
    } catch (IllegalStateException noAgreement) {
      rows.putAll(Digests.readAll(cluster, cluster.members()));
    }
    Map<String, String> digests = new LinkedHashMap<>();
    rows.forEach((m, row) -> digests.put(cluster.boltUri(m),
        row.map(Digests.Row::digest).orElse("unavailable")));
    return digests;
  }

  @Override
  public void close() {
    forwarder.close();
  }

  @Override
  public String toString() {
    return "graft 3-server cluster, writes via leader forwarder " + forwarder.uri();
  }
}
