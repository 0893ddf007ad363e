package io.graft.it.workload;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * A content digest of a member's graph, computed through Cypher: every node (element id, sorted
 * labels, sorted properties) and every relationship (element id, type, end points, properties) is
 * hashed with SHA-256 and the first 8 bytes are summed, so the digest does not depend on the order
 * the store returns records in. graft replicates physically, so element ids are identical on every
 * member and belong in the digest. This is the fallback used until the plugin exposes a
 * {@code raft.digest()}-style procedure; {@link Cluster#digests()} is the seam to swap it.
 */
public final class StoreDigest {

  private StoreDigest() {
  }

  /** The digest of every member, keyed by its Bolt URI. */
  public static Map<String, String> cypherDigests(List<URI> members) {
    Map<String, String> out = new LinkedHashMap<>();
    for (URI uri : members) {
      try (Driver driver = Clients.driver(uri, Duration.ofSeconds(5))) {
        out.put(uri.toString(), digest(driver));
      } catch (RuntimeException e) {
        out.put(uri.toString(), "unavailable: " + e.getMessage());
      }
    }
    return out;
  }

  static String digest(Driver driver) {
    try (Session session = driver.session()) {
      return session.executeRead(tx -> {
        Accumulator acc = new Accumulator();
        tx.run("MATCH (n) RETURN elementId(n) AS id, labels(n) AS l, properties(n) AS p")
            .forEachRemaining(r -> acc.add("n|" + r.get("id").asString() + "|"
                + r.get("l").asList(v -> v.asString()).stream().sorted().toList() + "|"
                + sortedProps(r)));
        long nodes = acc.count;
        tx.run("MATCH (a)-[r]->(b) RETURN elementId(r) AS id, type(r) AS t, elementId(a) AS a,"
                + " elementId(b) AS b, properties(r) AS p")
            .forEachRemaining(r -> acc.add("r|" + r.get("id").asString() + "|"
                + r.get("t").asString() + "|" + r.get("a").asString() + "|"
                + r.get("b").asString() + "|" + sortedProps(r)));
        return "nodes=" + nodes + " rels=" + (acc.count - nodes) + " sum="
            + Long.toHexString(acc.sum);
      });
    }
  }

  private static String sortedProps(Record r) {
    return new TreeMap<>(r.get("p").asMap(v -> String.valueOf(v.asObject()))).toString();
  }

  /** Order-independent sum of 64-bit record hashes. */
  private static final class Accumulator {
    private final MessageDigest sha;
    long sum;
    long count;

    Accumulator() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    void add(String record) {
      byte[] h = sha.digest(record.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      sum += v;
      count++;
    }
  }
}
