package io.graft.it.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.cluster.ClusterOptions;
import io.graft.cluster.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.exceptions.ClientException;

/**
 * Issue 3 on real processes: with the DEFAULT server.raft.max_entry_size one transaction of
 * 200,000 nodes with two properties (one Raft entry of ~21 MiB, measured) commits on the leader
 * of a three-server cluster and every member ends with the same {@code raft.digest()} and last
 * transaction id; a normal write after it replicates too. The refusal above a lowered limit is
 * {@code inprocess.InProcessApplyFailureTest} (changing the limit here would cost a restart).
 *
 * <p>Prints the commit time and the leader's peak heap (jstat samples every 100 ms). With
 * {@code -Dbigtx.compare=true} it also times the same transaction on one plain Neo4j server.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BigTransactionIT {
  static final int NODES = 200_000;
  static final String BIG =
      "UNWIND range(1, " + NODES + ") AS i CREATE (:Big {i: i, name: 'node-' + i})";
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @Test
  void twoHundredThousandNodesReplicateWithTheDefaultLimit() throws Exception {
    // max_entry_size at its default. Timeouts raised for the shared, overloaded 2-core CI box
    // (load 8-11 seen) where the C1-only, serial-GC test JVMs (fastStart) pause for up to ~1 s
    // while building the transaction: the whole commit took 27 s once and ran past the 30 s
    // commit_timeout another time (the transaction still committed: the timeout only ends the
    // wait), and a 0.9 s pause of the leader once cost it its leadership before the commit.
    ClusterOptions options = ProcessFixtures.options("big-tx", 3, true, false)
        .withExtraSettings(Map.of("server.raft.commit_timeout", "180s",
            "server.raft.election_timeout", "4s", "server.raft.heartbeat_interval", "200ms"));
    try (LocalCluster local = LocalCluster.start(options)) {
      int leader = local.awaitLeader();
      try (Session session = local.probe().session(leader)) {
        // Label and property tokens commit as transactions of their own (through Raft): create
        // them first so that the big transaction is exactly one more transaction.
        session.run("CREATE (b:Big {i: 0, name: 'seed'}), (:Small {v: 0}) DELETE b").consume();
      }
      Map<Integer, Record> before = converged(local);
      long txBefore = before.get(leader).get("lastTxId").asLong();
      long logBefore = raftLogBytes(local, 1);

      long millis = -1;
      long peakMb = -1;
      for (int attempt = 1; millis < 0; attempt++) {
        try (HeapSampler heap = HeapSampler.start(local.pid(leader));
            Session session = local.probe().session(leader)) {
          long start = System.nanoTime();
          session.run(BIG).consume();
          millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          peakMb = heap.peakMb();
        } catch (ClientException e) {
          // Refused before anything was proposed (leadership moved while the transaction was
          // built): safe to run again on the new leader, as a driver's retry would.
          if (attempt == 3 || !e.getMessage().contains("not the Raft leader")) {
            throw e;
          }
          System.out.println("[big-tx] attempt " + attempt + " refused: " + e.getMessage());
          leader = local.awaitLeader();
        }
      }
      Map<Integer, Record> after = converged(local);
      long entryBytes = raftLogBytes(local, 1) - logBefore;
      String summary = "[big-tx] " + NODES + " nodes in one transaction (Raft log +"
          + entryBytes / 1024 + " KiB) committed on the 3-member cluster in " + millis
          + " ms; leader peak heap " + peakMb + " MB; digests " + digests(after);
      System.out.println(summary);
      for (int m = 1; m <= local.size(); m++) {
        Record r = after.get(m);
        assertThat(r.get("lastTxId").asLong()).as(summary).isEqualTo(txBefore + 1);
        assertThat(r.get("digest").asString()).as(summary)
            .isEqualTo(after.get(leader).get("digest").asString());
        try (Session s = local.probe().session(m)) {
          assertThat(ProcessFixtures.count(s, "MATCH (n:Big) RETURN count(n)"))
              .as("member %d sees every node", m).isEqualTo(NODES);
          assertThat(ProcessFixtures.count(s, "MATCH (n:Big {i: " + NODES + "}) "
              + "WHERE n.name = 'node-" + NODES + "' RETURN count(n)")).isEqualTo(1);
        }
      }

      // The cluster stays healthy: an ordinary write after the big one replicates everywhere.
      try (Session session = local.probe().session(local.awaitLeader())) {
        session.run("CREATE (:Small {v: 1})").consume();
      }
      Map<Integer, Record> last = converged(local);
      assertThat(last.values()).allSatisfy(r ->
          assertThat(r.get("lastTxId").asLong()).isEqualTo(txBefore + 2));
      assertThat(last.values().stream().map(r -> r.get("digest").asString()).distinct())
          .hasSize(1);
    }
  }

  /** Opt-in (-Dbigtx.compare=true): the same transaction on one plain server, for the README. */
  @Test
  @EnabledIfSystemProperty(named = "bigtx.compare", matches = "true")
  void plainServerCommitTimeForComparison() throws Exception {
    ClusterOptions plain = ProcessFixtures.options("big-tx-plain", 1, false, false);
    try (LocalCluster local = LocalCluster.start(plain)) {
      try (Session session = local.probe().session(1)) {
        session.run("CREATE (b:Big {i: 0, name: 'seed'}) DELETE b").consume();
      }
      try (HeapSampler heap = HeapSampler.start(local.pid(1));
          Session session = local.probe().session(1)) {
        long start = System.nanoTime();
        session.run(BIG).consume();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("[big-tx] " + NODES + " nodes in one transaction committed on one "
            + "plain server in " + millis + " ms; peak heap " + heap.peakMb() + " MB");
        assertThat(ProcessFixtures.count(session, "MATCH (n:Big) RETURN count(n)"))
            .isEqualTo(NODES);
      }
    }
  }

  /**
   * {@code raft.digest()} of every member once all report the same applied index (a digest that
   * raced an apply reports -1), bounded by {@link #CONVERGE}.
   */
  private static Map<Integer, Record> converged(LocalCluster local) {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    Map<Integer, Object> last = Map.of();
    while (System.nanoTime() < deadline) {
      Map<Integer, Record> rows = new LinkedHashMap<>();
      Map<Integer, Object> applied = new LinkedHashMap<>();
      for (int m = 1; m <= local.size(); m++) {
        try (Session s = local.probe().session(m)) {
          Record r = s.run("CALL raft.digest()").single();
          rows.put(m, r);
          applied.put(m, r.get("appliedIndex").asLong());
        } catch (RuntimeException e) {
          applied.put(m, "unavailable: " + e.getMessage());
        }
      }
      last = applied;
      if (rows.size() == local.size() && applied.values().stream().distinct().count() == 1
          && !applied.containsValue(-1L)) {
        return rows;
      }
      ProcessFixtures.pause(Duration.ofMillis(250));
    }
    throw new IllegalStateException("members did not converge within " + CONVERGE + ": " + last);
  }

  /** Bytes of the member's Raft log segments ({@code data/raft/neo4j/log}). */
  private static long raftLogBytes(LocalCluster local, int member) throws IOException {
    Path dir = local.home(member).resolve("data").resolve("raft").resolve("neo4j").resolve("log");
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path f : (Iterable<Path>) files::iterator) {
        total += Files.size(f);
      }
      return total;
    }
  }

  private static Map<Integer, String> digests(Map<Integer, Record> rows) {
    Map<Integer, String> out = new LinkedHashMap<>();
    rows.forEach((m, r) -> out.put(m, r.get("digest").asString().substring(0, 12)));
    return out;
  }
}
