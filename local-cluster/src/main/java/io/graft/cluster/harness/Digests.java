package io.graft.cluster.harness;

import io.graft.cluster.LocalCluster;
import io.graft.cluster.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * The members' state machines compared: {@code raft.digest()} (SHA-256 of the graph in id order,
 * with the applied index it was taken at) and the wait until they agree. Once the logs match and
 * are applied, the state machines must be identical (§5.3, State Machine Safety); a digest taken
 * while an apply ran reports applied index -1 and is taken again.
 */
public final class Digests {
  /** Between two rounds: a digest is a full scan of the graph on every member. */
  static final Duration POLL = Duration.ofMillis(250);

  private Digests() {}

  /** One member's {@code raft.digest()} row. */
  public record Row(long appliedIndex, String digest, long lastTxId, long nodes,
      long relationships) {
    static Row of(Record r) {
      return new Row(r.get("appliedIndex").asLong(), r.get("digest").asString(),
          r.get("lastTxId").asLong(), r.get("nodes").asLong(), r.get("relationships").asLong());
    }

    @Override
    public String toString() {
      return "applied " + appliedIndex + " digest " + digest.substring(0, Math.min(12,
          digest.length())) + " lastTxId " + lastTxId + " (" + nodes + " nodes, " + relationships
          + " relationships)";
    }
  }

  /** One member's row, or why there is none (unreachable, no graft, ...). */
  public static Optional<Row> read(LocalCluster cluster, int member) {
    try (Session s = cluster.probe().session(member)) {
      return Optional.of(Row.of(s.run("CALL raft.digest()").single()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** One round over {@code members}: a row each, or empty where a member did not answer. */
  public static Map<Integer, Optional<Row>> readAll(LocalCluster cluster, List<Integer> members) {
    Map<Integer, Optional<Row>> rows = new LinkedHashMap<>();
    for (int m : new ArrayList<>(members)) {
      rows.put(m, read(cluster, m));
    }
    return rows;
  }

  /** True when every member answered, at one applied index (not -1), with one digest. */
  public static boolean same(Map<Integer, Optional<Row>> rows) {
    Set<Long> applied = new HashSet<>();
    Set<String> digests = new HashSet<>();
    for (Optional<Row> row : rows.values()) {
      if (row.isEmpty()) {
        return false;
      }
      applied.add(row.get().appliedIndex());
      digests.add(row.get().digest());
    }
    return !rows.isEmpty() && applied.size() == 1 && !applied.contains(-1L)
        && digests.size() == 1;
  }

  /**
   * Polls {@code raft.digest()} on {@code members} until all answer at one applied index with one
   * digest, and returns their rows.
   *
   * @throws IllegalStateException when {@code bound} passed first, with the last rows seen
   */
  public static Map<Integer, Row> awaitSame(LocalCluster cluster, List<Integer> members,
      Duration bound) {
    return awaitSame(cluster, members, bound, POLL);
  }

  /** {@link #awaitSame} polling every {@code poll} (measurements that time the agreement). */
  public static Map<Integer, Row> awaitSame(LocalCluster cluster, List<Integer> members,
      Duration bound, Duration poll) {
    Map<Integer, Optional<Row>> rows = Waits.until("one applied index and one digest on members "
        + members, bound, poll, () -> readAll(cluster, members), Digests::same);
    Map<Integer, Row> same = new LinkedHashMap<>();
    rows.forEach((m, row) -> same.put(m, row.orElseThrow()));
    return same;
  }

  /** {@link #awaitSame} over every member of the cluster. */
  public static Map<Integer, Row> awaitSame(LocalCluster cluster, Duration bound) {
    return awaitSame(cluster, cluster.members(), bound);
  }

  /**
   * Polls {@code raft.status()} (cheap: no scan) until every one of {@code members} reports one
   * applied index, and returns it.
   *
   * @throws IllegalStateException when {@code bound} passed first, with the last view
   */
  public static long awaitSameAppliedIndex(LocalCluster cluster, List<Integer> members,
      Duration bound) {
    return awaitSameAppliedIndex(cluster, members, bound, POLL);
  }

  /** {@link #awaitSameAppliedIndex} polling every {@code poll}. */
  public static long awaitSameAppliedIndex(LocalCluster cluster, List<Integer> members,
      Duration bound, Duration poll) {
    Map<Integer, Object> view = Waits.until("one applied index on members " + members, bound,
        poll, () -> {
          Map<Integer, Object> applied = new LinkedHashMap<>();
          for (int m : members) {
            applied.put(m, cluster.probe().status(m).map(r -> r.get("appliedIndex"))
                .orElse("unreachable"));
          }
          return applied;
        }, applied -> new HashSet<>(applied.values()).size() == 1
            && applied.values().iterator().next() instanceof Long);
    return (Long) view.values().iterator().next();
  }
}
