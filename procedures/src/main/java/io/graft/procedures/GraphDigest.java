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
import org.neo4j.graphdb.Transaction;

/**
 * A SHA-256 over the whole graph in id order: every node (id, sorted labels, sorted properties) then
 * every relationship (id, type, start, end, sorted properties). Physical replication keeps ids
 * identical, so equal graphs give equal digests on every member. Read-committed: run it when
 * writes are quiet or compare at equal applied indexes.
 */
public final class GraphDigest {
  public record Result(String digest, long nodes, long relationships) {}

  private GraphDigest() {}

  public static Result compute(Transaction tx) {
    MessageDigest sha = sha256();
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
      update(
          sha,
          "R" + rel.getId() + ":" + rel.getType().name() + ":" + rel.getStartNodeId() + ">"
              + rel.getEndNodeId() + properties(rel.getAllProperties()));
    }
    return new Result(hex(sha.digest()), nodes, rels.size());
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
