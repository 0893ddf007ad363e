package io.graft.bench.neo;

import io.graft.cluster.LocalCluster;
import java.util.List;
import java.util.Optional;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.exceptions.Neo4jException;

/** A member's {@code CALL raft.latency()} rows as a Markdown table. */
final class LatencyTable {
  private LatencyTable() {}

  /** Empty if the member has no such procedure (an older plugin). */
  static Optional<String> of(LocalCluster cluster, int member) {
    List<Record> rows;
    try (Session s = cluster.probe().session(member)) {
      rows = s.run("CALL raft.latency()").list();
    } catch (Neo4jException e) {
      System.out.println("[latency] CALL raft.latency() on member-" + member + " failed: "
          + e.getMessage());
      return Optional.empty();
    }
    StringBuilder md = new StringBuilder();
    md.append("| stage | count | p50 ms | p99 ms | p999 ms | max ms |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    for (Record r : rows) {
      md.append(String.format("| %s | %d | %.3f | %.3f | %.3f | %.3f |%n",
          r.get("stage").asString(), r.get("count").asLong(), r.get("p50Ms").asDouble(),
          r.get("p99Ms").asDouble(), r.get("p999Ms").asDouble(), r.get("maxMs").asDouble()));
    }
    System.out.println("[latency] member-" + member + ":\n" + md);
    return Optional.of(md.toString());
  }
}
