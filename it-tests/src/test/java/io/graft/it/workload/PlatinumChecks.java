package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
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

  /**
   * Once acknowledged, a read carrying the writer's bookmark sees every card, on every member.
   * A member that cannot answer now (killed, paused or cut off by a fault still in force) is
   * returned, to be read again after the heal ({@code afterHeal}): the cards are never removed, so
   * the bookmark read must see them all whenever it runs, and only then is a failure a problem.
   */
  static List<URI> afterAck(List<URI> members, Set<Bookmark> batchBookmarks,
      PlatinumSetup.Population pop, RunState run, boolean afterHeal) {
    List<URI> unreachable = new ArrayList<>();
    for (URI member : members) {
      try (Driver d = Clients.driver(member, Duration.ofSeconds(30));
          Session s = Clients.readSession(d, batchBookmarks)) {
        long[] seen = s.executeRead(tx -> new long[] {count(tx, PlatinumBatchWorkload.COUNT_CARDS),
            count(tx, HIGH_WITH_CARD)});
        run.problems.check(seen[0] != pop.eligible() || seen[1] != pop.eligible(),
            "right after the batch was acknowledged, " + member + " with its bookmark saw "
                + seen[0] + " cards (" + seen[1] + " on eligible customers), expected "
                + pop.eligible());
      } catch (Exception e) {
        if (!afterHeal) {
          unreachable.add(member);
          run.count("bookmarkReadsDeferredToHeal");
        } else {
          run.problems.add("read with the batch bookmark on " + member + " failed after the heal: "
              + OpOutcome.describe(e));
        }
      }
    }
    return unreachable;
  }

  /** The final state on every member, reading with the bookmarks of every write. */
  static void atEnd(Cluster cluster, PlatinumSetup.Population pop,
      PlatinumBatchWorkload.BatchOutcome batch, Set<Long> attemptedNew, Set<Long> ackedNew,
      RunState run) {
    Map<String, String> summaries = new TreeMap<>();
    for (URI member : cluster.memberBoltUris()) {
      try (Driver d = Clients.driver(member, Duration.ofSeconds(30));
          Session s = Clients.readSession(d, run.clients.bookmarks())) {
        // Read inside the (retryable) transaction function, check outside it: a retry must not
        // report a problem twice.
        MemberState state = s.executeRead(tx -> MemberState.read(tx, pop.customers()));
        summaries.put(member.toString(), checkMember(state, member, pop, batch, attemptedNew,
            ackedNew, run));
      } catch (Exception e) {
        run.problems.add("final read on " + member + " failed: " + OpOutcome.describe(e));
      }
    }
    run.problems.check(new HashSet<>(summaries.values()).size() > 1,
        "members differ at the end: " + summaries);
  }

  /** Everything the final check needs from one member, read in one transaction. */
  private record MemberState(long cards, long highWithCard, long ineligible, long doubles,
      long orphans, long eligible, long original, List<Long> newIds, long total, long low) {

    static MemberState read(TransactionContext tx, int customers) {
      var money = tx.run(MONEY).single();
      return new MemberState(count(tx, PlatinumBatchWorkload.COUNT_CARDS),
          count(tx, HIGH_WITH_CARD), count(tx, INELIGIBLE), count(tx, DOUBLES),
          count(tx, ORPHANS), count(tx, ELIGIBLE),
          tx.run(ORIGINAL, Map.of("n", customers)).single().get("n").asLong(),
          tx.run(NEW_IDS, Map.of("n", customers)).single().get("ids").asList(v -> v.asLong()),
          money.get("total").asLong(), money.get("low").asLong());
    }
  }

  private static String checkMember(MemberState m, URI member, PlatinumSetup.Population pop,
      PlatinumBatchWorkload.BatchOutcome batch, Set<Long> attemptedNew, Set<Long> ackedNew,
      RunState run) {
    String at = "at the end on " + member + ": ";
    Problems p = run.problems;
    p.check(m.cards() != 0 && m.cards() != pop.eligible(), at + "partial batch, " + m.cards()
        + " of " + pop.eligible() + " cards");
    p.check(batch.acknowledged() && m.cards() != pop.eligible(), at + "the batch was "
        + "acknowledged but only " + m.cards() + " of " + pop.eligible() + " cards exist");
    p.check(m.highWithCard() != m.cards(), at + "cards not held by eligible customers");
    p.check(m.ineligible() != 0, at + "an ineligible customer holds a card");
    p.check(m.doubles() != 0, at + "a customer holds two cards");
    p.check(m.orphans() != 0, at + "a card has no holder");
    p.check(m.eligible() != pop.eligible(), at + "eligible customers changed");
    p.check(m.original() != pop.customers(), at + m.original() + " of " + pop.customers()
        + " original customers");
    Set<Long> present = new HashSet<>(m.newIds());
    p.check(present.size() != m.newIds().size(), at + "a new customer exists twice");
    p.check(!present.containsAll(ackedNew), at + "an acknowledged new customer is missing");
    p.check(!attemptedNew.containsAll(present), at + "a customer nobody created exists");
    long expected = pop.initialTotal()
        + m.newIds().size() * PlatinumBatchWorkload.NEW_CUSTOMER_BALANCE;
    p.check(m.total() != expected, at + "money total " + m.total() + ", expected " + expected);
    p.check(m.low() < 0, at + "a negative balance");
    return "cards=" + m.cards() + " newCustomers=" + m.newIds().size() + " total=" + m.total();
  }

  private static long count(TransactionContext tx, String query) {
    return tx.run(query).single().get("n").asLong();
  }
}
