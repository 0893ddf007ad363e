package io.graft.it.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/** Creates the platinum exercise's customers: deterministic from the seed, in chunks. */
final class PlatinumSetup {

  private static final int CHUNK = 10_000;

  /** What was created: how many customers, how many are eligible, and the money in total. */
  record Population(int customers, long eligible, long initialTotal) {
  }

  private PlatinumSetup() {
  }

  static Population populate(Driver router, PlatinumBatchWorkload.Options options, long seed,
      RunState run) {
    try (Session s = Clients.writeSession(router)) {
      s.executeWrite(tx -> tx.run("MATCH (k:Card) DETACH DELETE k").consume());
      s.executeWrite(tx -> tx.run("MATCH (m:BatchLock) DETACH DELETE m").consume());
      long deleted;
      do {
        deleted = s.executeWrite(tx -> tx.run("MATCH (c:Customer) WITH c LIMIT $n "
            + "DETACH DELETE c RETURN count(*) AS n", Map.of("n", CHUNK)).single().get("n")
            .asLong());
      } while (deleted > 0);
      s.run("CREATE INDEX customer_id IF NOT EXISTS FOR (c:Customer) ON (c.id)").consume();
      s.run("CALL db.awaitIndexes(300)").consume();
      Random rnd = new Random(seed);
      long eligible = 0;
      long total = 0;
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int id = 0; id < options.customers(); id++) {
        long balance = rnd.nextInt((int) PlatinumBatchWorkload.MAX_BALANCE);
        boolean high = balance >= options.threshold();
        eligible += high ? 1 : 0;
        total += balance;
        rows.add(Map.of("id", (long) id, "b", balance, "t", high ? "high" : "standard"));
        if (rows.size() == CHUNK || id == options.customers() - 1) {
          List<Map<String, Object>> chunk = List.copyOf(rows);
          s.executeWrite(tx -> tx.run("UNWIND $rows AS r "
              + "CREATE (:Customer {id: r.id, balance: r.b, tier: r.t})", Map.of("rows", chunk))
              .consume());
          rows.clear();
        }
      }
      s.executeWrite(tx -> tx.run("CREATE (:BatchLock {name: 'platinum'})").consume());
      run.clients.remember(s);
      run.stats.put("eligible", eligible);
      return new Population(options.customers(), eligible, total);
    }
  }
}
