package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.neo4j.driver.Bookmark;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.TransactionContext;

/** The platinum exercise's checks on every member, with bookmarks so each member has caught up. */
final class PlatinumChecks {

  private static final String HIGH_WITH_CARD = "MATCH (c:Customer {tier: 'high'})-[:HOLDS]->"
      + "(k:Card {kind: 'platinum'}) RETURN count(k) AS n";
  private static final String INELIGIBLE = "MATCH (c:Customer)-[:HOLDS]->(k:Card {kind: "
      + "'platinum'}) WHERE c.tier <> 'high' RETURN count(k) AS n";
  private static final String DOUBLES = "MATCH (c:Customer)-[:HOLDS]->(k:Card {kind: "
      + "'platinum'}) WITH c, count(k) AS cards WHERE cards > 1 RETURN count(c) AS n";
  private static final String ORPHANS = "MATCH (k:Card {kind: 'platinum'}) "
      + "WHERE NOT (:Customer)-[:HOLDS]->(k) RETURN count(k) AS n";
  private static final String ELIGIBLE = "MATCH (c:Customer {tier: 'high'}) RETURN count(c) AS n";
  private static final String ORIGINAL =
      "MATCH (c:Customer) WHERE c.id < $n RETURN count(c) AS n";
  private static final String NEW_IDS =
      "MATCH (c:Customer) WHERE c.id >= $n RETURN collect(c.id) AS ids";
  private static final String MONEY =
      "MATCH (c:Customer) RETURN sum(c.balance) AS total, min(c.balance) AS low";

  private PlatinumChecks() {
  }

  /** Once acknowledged, a read carrying the writer's bookmark sees every card, on every member. */
  static void afterAck(Cluster cluster, Set<Bookmark> batchBookmarks,
      PlatinumSetup.Population pop, RunState run) {
    for (URI member : cluster.memberBoltUris()) {
      try (Driver d = Clients.driver(member, Duration.ofSeconds(30));
          Session s = Clients.readSession(d, batchBookmarks)) {
        long[] seen = s.executeRead(tx -> new long[] {count(tx, PlatinumBatchWorkload.COUNT_CARDS),
            count(tx, HIGH_WITH_CARD)});
        run.problems.check(seen[0] != pop.eligible() || seen[1] != pop.eligible(),
            "right after the batch was acknowledged, " + member + " with its bookmark saw "
                + seen[0] + " cards (" + seen[1] + " on eligible customers), expected "
                + pop.eligible());
      } catch (Exception e) {
        run.problems.add("read with the batch bookmark on " + member + " failed: "
            + OpOutcome.describe(e));
      }
    }
  }

  /** The final state on every member, reading with the bookmarks of every write. */
  static void atEnd(Cluster cluster, PlatinumSetup.Population pop,
      PlatinumBatchWorkload.BatchOutcome batch, Set<Long> attemptedNew, Set<Long> ackedNew,
      RunState run) {
    Map<String, String> summaries = new TreeMap<>();
    for (URI member : cluster.memberBoltUris()) {
      try (Driver d = Clients.driver(member, Duration.ofSeconds(30));
          Session s = Clients.readSession(d, run.clients.bookmarks())) {
        summaries.put(member.toString(), s.executeRead(tx -> checkMember(tx, member, pop, batch,
            attemptedNew, ackedNew, run)));
      } catch (Exception e) {
        run.problems.add("final read on " + member + " failed: " + OpOutcome.describe(e));
      }
    }
    run.problems.check(new HashSet<>(summaries.values()).size() > 1,
        "members differ at the end: " + summaries);
  }

  private static String checkMember(TransactionContext tx, URI member,
      PlatinumSetup.Population pop, PlatinumBatchWorkload.BatchOutcome batch,
      Set<Long> attemptedNew, Set<Long> ackedNew, RunState run) {
    String at = "at the end on " + member + ": ";
    Problems p = run.problems;
    long cards = count(tx, PlatinumBatchWorkload.COUNT_CARDS);
    p.check(cards != 0 && cards != pop.eligible(), at + "partial batch, " + cards + " of "
        + pop.eligible() + " cards");
    p.check(batch.acknowledged() && cards != pop.eligible(), at + "the batch was acknowledged "
        + "but only " + cards + " of " + pop.eligible() + " cards exist");
    p.check(count(tx, HIGH_WITH_CARD) != cards, at + "cards not held by eligible customers");
    p.check(count(tx, INELIGIBLE) != 0, at + "an ineligible customer holds a card");
    p.check(count(tx, DOUBLES) != 0, at + "a customer holds two cards");
    p.check(count(tx, ORPHANS) != 0, at + "a card has no holder");
    p.check(count(tx, ELIGIBLE) != pop.eligible(), at + "eligible customers changed");
    long original = tx.run(ORIGINAL, Map.of("n", pop.customers())).single().get("n").asLong();
    p.check(original != pop.customers(), at + original + " of " + pop.customers()
        + " original customers");
    List<Long> newIds = tx.run(NEW_IDS, Map.of("n", pop.customers())).single().get("ids")
        .asList(v -> v.asLong());
    Set<Long> present = new HashSet<>(newIds);
    p.check(present.size() != newIds.size(), at + "a new customer exists twice");
    p.check(!present.containsAll(ackedNew), at + "an acknowledged new customer is missing");
    p.check(!attemptedNew.containsAll(present), at + "a customer nobody created exists");
    var money = tx.run(MONEY).single();
    long expected = pop.initialTotal() + newIds.size() * PlatinumBatchWorkload.NEW_CUSTOMER_BALANCE;
    p.check(money.get("total").asLong() != expected, at + "money total "
        + money.get("total").asLong() + ", expected " + expected);
    p.check(money.get("low").asLong() < 0, at + "a negative balance");
    return "cards=" + cards + " newCustomers=" + newIds.size() + " total="
        + money.get("total").asLong();
  }

  private static long count(TransactionContext tx, String query) {
    return tx.run(query).single().get("n").asLong();
  }
}
