package io.graft.it.realdata;

import java.util.HashMap;
import java.util.Map;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * The "existing database" of the must-show: {@code n} :Person nodes with a uniqueness
 * constraint on id, an index on name and several property types (string, integer, float,
 * boolean, date, point, list), and {@code 2n} :KNOWS relationships with properties, built in
 * UNWIND batches on a plain server.
 */
final class OriginalGraph {
  private static final int BATCH = 10_000;

  private OriginalGraph() {}

  static void build(Session s, int n, java.util.function.Consumer<String> progress) {
    s.run("CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE").consume();
    s.run("CREATE INDEX person_name FOR (p:Person) ON (p.name)").consume();
    s.run("CALL db.awaitIndexes(300)").consume();
    for (int from = 0; from < n; from += BATCH) {
      s.run("UNWIND range($from, $to) AS i CREATE (:Person {id: i, name: 'person-' + i,"
              + " age: i % 90, score: toFloat(i) / 7, active: i % 2 = 0,"
              + " born: date('1950-01-01') + duration({days: i % 20000}),"
              + " home: point({x: toFloat(i % 1000), y: toFloat(i % 777)}),"
              + " tags: ['t' + (i % 5), 't' + (i % 7)]})",
          Values.parameters("from", from, "to", Math.min(n, from + BATCH) - 1)).consume();
    }
    progress.accept(n + " :Person nodes created");
    for (int round = 0; round < 2; round++) {
      for (int from = 0; from < n; from += BATCH) {
        s.run("UNWIND range($from, $to) AS i MATCH (a:Person {id: i})"
                + " MATCH (b:Person {id: (i * $m + $round + 1) % $n})"
                + " CREATE (a)-[:KNOWS {since: 1990 + i % 30, weight: toFloat(i % 100) / 10}]->(b)",
            Values.parameters("from", from, "to", Math.min(n, from + BATCH) - 1, "m",
                round == 0 ? 7 : 13, "round", round, "n", n)).consume();
      }
    }
    progress.accept(2L * n + " :KNOWS relationships created");
  }

  /** Person id to element id, for every :Person node. */
  static Map<Long, String> elementIds(Session s) {
    Map<Long, String> out = new HashMap<>();
    s.run("MATCH (p:Person) RETURN p.id AS id, elementId(p) AS e")
        .forEachRemaining(r -> out.put(r.get("id").asLong(), r.get("e").asString()));
    return out;
  }

  /** Counts of the original data (nodes, relationships) visible in {@code s}. */
  static long[] counts(Session s) {
    var r = s.run("MATCH (p:Person) WITH count(p) AS n"
        + " MATCH (:Person)-[k:KNOWS]->(:Person) RETURN n, count(k) AS r").single();
    return new long[] {r.get("n").asLong(), r.get("r").asLong()};
  }
}
