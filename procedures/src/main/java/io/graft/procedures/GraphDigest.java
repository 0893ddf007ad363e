package io.graft.procedures;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * A SHA-256 over the whole graph in id order: every node (id, sorted labels, sorted properties) then
 * every relationship (id, type, start, end, sorted properties). Physical replication keeps ids
 * identical, so equal graphs give equal digests on every member. Read-committed: run it when
 * writes are quiet or compare at equal applied indexes.
 *
 * <p>Streaming, in bounded memory whatever the store size: Neo4j's record store scans nodes and
 * relationships in ascending id order, so each entity is hashed as the scan reaches it and then
 * forgotten (the first version collected every entity and sorted them, which ran out of heap on
 * large stores). The result is unchanged: the same lines in the same order. The order is checked
 * as the scan goes, and a scan out of id order fails rather than yield a different digest.
 */
public final class GraphDigest {
  public record Result(String digest, long nodes, long relationships) {}

  private GraphDigest() {}

  public static Result compute(Transaction tx) {
    MessageDigest sha = sha256();
    long nodes = 0;
    long previous = -1;
    try (ResourceIterator<Node> all = tx.getAllNodes().iterator()) {
      while (all.hasNext()) {
        Node node = all.next();
        long id = node.getId();
        previous = inOrder("node", id, previous);
        List<String> labels = new ArrayList<>();
        for (Label label : node.getLabels()) {
          labels.add(label.name());
        }
        labels.sort(null);
        update(sha, "N" + id + labels + properties(node.getAllProperties()));
        nodes++;
      }
    }
    long relationships = 0;
    previous = -1;
    try (ResourceIterator<Relationship> all = tx.getAllRelationships().iterator()) {
      while (all.hasNext()) {
        Relationship rel = all.next();
        long id = rel.getId();
        previous = inOrder("relationship", id, previous);
        update(sha, "R" + id + ":" + rel.getType().name() + ":" + rel.getStartNodeId() + ">"
            + rel.getEndNodeId() + properties(rel.getAllProperties()));
        relationships++;
      }
    }
    return new Result(hex(sha.digest()), nodes, relationships);
  }

  private static long inOrder(String kind, long id, long previous) {
    if (id <= previous) {
      throw new IllegalStateException("graft: the " + kind + " scan returned id " + id
          + " after " + previous + "; raft.digest needs the store's id order (record storage)");
    }
    return id;
  }

  private static String properties(Map<String, Object> props) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, Object> e : new TreeMap<>(props).entrySet()) {
      out.append(e.getKey()).append('=').append(valueString(e.getValue())).append(';');
    }
    return out.append('}').toString();
  }

  private static String valueString(Object value) {
    if (value != null && value.getClass().isArray()) {
      return Arrays.deepToString(new Object[] {value});
    }
    return String.valueOf(value);
  }

  private static void update(MessageDigest sha, String s) {
    sha.update(s.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) '\n');
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(String.format("%02x", b));
    }
    return out.toString();
  }
}
