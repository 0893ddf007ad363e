package io.graft.it.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.procedures.GraphDigest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.Transaction;

/**
 * raft.digest() became streaming (bounded memory) without changing its result: on a graph with
 * id holes (deleted nodes and relationships), several labels, every common property type (arrays
 * included) and relationships in both directions, the streaming {@link GraphDigest} equals the
 * first version's algorithm, kept here as the reference (collect everything, sort by id, hash).
 * Other tests and helpers compare members with it, and a backup is checked against a plain server
 * with the same algorithm, so the output must stay bit for bit the same.
 */
class GraphDigestStreamingTest {

  @Test
  void streamingDigestEqualsTheCollectAndSortReference(@TempDir Path home) {
    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, false)
        .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
        .setConfig(GraphDatabaseSettings.pagecache_memory, 32L * 1024 * 1024)
        .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
        .build();
    try {
      GraphDatabaseService db = dbms.database("neo4j");
      db.executeTransactionally("CREATE INDEX customer_id FOR (n:Customer) ON (n.id)");
      db.executeTransactionally("CALL db.awaitIndexes(60)");
      db.executeTransactionally("UNWIND range(1, 3000) AS i CREATE (n:Customer {id: i,"
          + " name: 'c' + i, score: i * 0.5, tags: ['a', toString(i)], flags: [true, false],"
          + " nums: [i, i + 1], active: i % 2 = 0})");
      db.executeTransactionally("MATCH (n:Customer) WHERE n.id % 3 = 0 SET n:Vip:Gold");
      db.executeTransactionally("MATCH (a:Customer) MATCH (b:Customer {id: a.id + 1})"
          + " CREATE (a)-[:NEXT {w: a.id, at: date('2024-01-01')}]->(b)");
      db.executeTransactionally("MATCH (a:Customer) WHERE a.id % 50 = 0"
          + " MATCH (b:Customer {id: a.id - 7}) CREATE (a)-[:BACK]->(b)");
      // Holes: deleted nodes (with their relationships) and deleted relationships.
      db.executeTransactionally("MATCH (n:Customer) WHERE n.id % 17 = 0 DETACH DELETE n");
      db.executeTransactionally("MATCH ()-[r:NEXT]->() WHERE r.w % 13 = 0 DELETE r");
      db.executeTransactionally("UNWIND range(1, 200) AS i CREATE (:Late {i: i, bytes: [1, 2]})");

      try (Transaction tx = db.beginTx()) {
        GraphDigest.Result streaming = GraphDigest.compute(tx);
        Reference reference = Reference.compute(tx);
        assertThat(streaming.nodes()).isEqualTo(reference.nodes).isGreaterThan(3000);
        assertThat(streaming.relationships()).isEqualTo(reference.relationships)
            .isGreaterThan(2000);
        assertThat(streaming.digest()).isEqualTo(reference.digest);
      }
      db.executeTransactionally("MATCH (n:Late {i: 5}) SET n.i = 6");
      try (Transaction tx = db.beginTx()) {
        assertThat(GraphDigest.compute(tx).digest()).as("a changed property changes it")
            .isEqualTo(Reference.compute(tx).digest)
            .isNotEqualTo(GraphDigest.compute(tx).digest().replace('a', 'b'));
      }
    } finally {
      dbms.shutdown();
    }
  }

  /** raft.digest's first algorithm, verbatim: every entity in a list, sorted by id, hashed. */
  private record Reference(String digest, long nodes, long relationships) {
    static Reference compute(Transaction tx) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long nodes = 0;
        List<Node> allNodes = new ArrayList<>();
        tx.getAllNodes().forEach(allNodes::add);
        allNodes.sort((a, b) -> Long.compare(a.getId(), b.getId()));
        for (Node node : allNodes) {
          List<String> labels = new ArrayList<>();
          for (Label label : node.getLabels()) {
            labels.add(label.name());
          }
          labels.sort(null);
          update(sha, "N" + node.getId() + labels + properties(node.getAllProperties()));
          nodes++;
        }
        List<Relationship> rels = new ArrayList<>();
        tx.getAllRelationships().forEach(rels::add);
        rels.sort((a, b) -> Long.compare(a.getId(), b.getId()));
        for (Relationship rel : rels) {
          update(sha, "R" + rel.getId() + ":" + rel.getType().name() + ":"
              + rel.getStartNodeId() + ">" + rel.getEndNodeId()
              + properties(rel.getAllProperties()));
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : sha.digest()) {
          hex.append(String.format("%02x", b));
        }
        return new Reference(hex.toString(), nodes, rels.size());
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    private static String properties(Map<String, Object> props) {
      StringBuilder out = new StringBuilder("{");
      for (Map.Entry<String, Object> e : new TreeMap<>(props).entrySet()) {
        Object v = e.getValue();
        out.append(e.getKey()).append('=').append(v != null && v.getClass().isArray()
            ? Arrays.deepToString(new Object[] {v}) : String.valueOf(v)).append(';');
      }
      return out.append('}').toString();
    }

    private static void update(MessageDigest sha, String s) {
      sha.update(s.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
    }
  }
}
