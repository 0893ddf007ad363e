package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.neo4j.driver.Bookmark;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * The seed's exercise (docs/TESTING.md, "REST can't do transactions"): {@code customers} customers
 * (197,563 at full size) with balances; ONE transaction gives every high-value customer a
 * {@code :Card {kind:'platinum'}} while transfers, new customers and reads continue, and the
 * cluster's nemesis may strike (kill the leader) while the batch is in flight.
 *
 * <p>Eligibility is the immutable {@code tier} fixed at creation ({@code 'high'} iff the initial
 * balance is at least {@code threshold}); balances keep moving, so a balance-based rule would make
 * "ineligible" depend on when one looks. New customers are always {@code 'standard'}.
 *
 * <p>Checks (see {@link PlatinumChecks}): after the batch is acknowledged, a read carrying the
 * writer's bookmark on every member sees every card; at the end, on every member, the batch is
 * all-or-nothing, no ineligible customer holds a card, nobody holds two, no card lacks a holder,
 * no customer is missing and money is conserved. During the run, readers that take the batch's
 * lock (a marker node the batch writes first) must see 0 or all cards; plain read-committed
 * readers, one pinned to each member, may see a partial batch (counted, not failed) but never
 * more cards than eligible customers and never fewer than they saw before.
 *
 * <p>{@link BatchStyle#CHUNKED_WITH_CRASH} is a deliberately broken batch (several transactions,
 * the client "crashes" after the first) used to prove the all-or-nothing checks can fail.
 */
public final class PlatinumBatchWorkload {

  /** Full size of the seed's exercise. */
  public static final int FULL_SIZE = 197_563;
  static final long MAX_BALANCE = 10_000;
  static final long NEW_CUSTOMER_BALANCE = 50;

  /** How the batch is written. */
  public enum BatchStyle { ONE_TRANSACTION, CHUNKED_WITH_CRASH }

  /** Shape of a run. */
  public record Options(int customers, long threshold, int transferClients,
      int newCustomerClients, int lockedReaders, long maxOps, boolean strikeDuringBatch,
      BatchStyle style) {

    public static Options scaled(int customers) {
      return new Options(customers, 9_000, 2, 1, 1, 50_000, true, BatchStyle.ONE_TRANSACTION);
    }

    public Options broken() {
      return new Options(customers, threshold, transferClients, newCustomerClients,
          lockedReaders, maxOps, strikeDuringBatch, BatchStyle.CHUNKED_WITH_CRASH);
    }
  }

  /** One history event. */
  public record Event(int client, String kind, String detail, long cards, long invokeNanos,
      long returnNanos) {
  }

  static final String COUNT_CARDS =
      "MATCH (k:Card {kind: 'platinum'}) RETURN count(k) AS n";
  private static final String GRANT = "MATCH (c:Customer {tier: 'high'}) "
      + "WHERE NOT (c)-[:HOLDS]->(:Card {kind: 'platinum'}) "
      + "WITH c LIMIT $limit CREATE (c)-[:HOLDS]->(:Card {kind: 'platinum', batch: $batch}) "
      + "RETURN count(*) AS granted";
  private static final String TAKE_BATCH_LOCK =
      "MATCH (m:BatchLock {name: 'platinum'}) SET m.touch = coalesce(m.touch, 0) + 1";
  private static final String TRANSFER = "MATCH (a:Customer {id: $from}), (b:Customer {id: $to}) "
      + "SET a._lock = true, b._lock = true WITH a, b WHERE a.balance >= $amount "
      + "SET a.balance = a.balance - $amount, b.balance = b.balance + $amount "
      + "RETURN count(*) AS moved";

  private final Options options;

  public PlatinumBatchWorkload(Options options) {
    this.options = options;
  }

  public WorkloadResult run(Cluster cluster, Duration duration, long seed) throws Exception {
    System.out.println("[platinum] seed=" + seed + " options=" + options + " on " + cluster);
    RunState run = new RunState("platinum", seed);
    PlatinumSetup.Population population;
    Set<Long> attemptedNew = ConcurrentHashMap.newKeySet();
    Set<Long> ackedNew = ConcurrentHashMap.newKeySet();
    BatchOutcome batch;
    List<URI> bookmarkReadsLeft = List.of();
    List<Driver> pinned = new ArrayList<>();
    try (Driver router = Clients.driver(cluster.routingUri(), Duration.ofSeconds(30))) {
      population = PlatinumSetup.populate(router, options, seed, run);
      CountDownLatch warm = new CountDownLatch(10);
      int clients = options.transferClients() + options.newCustomerClients()
          + options.lockedReaders() + cluster.memberBoltUris().size();
      try (ClientGroup group = new ClientGroup("platinum", clients, duration, options.maxOps(),
          run, cluster.nemesis());
          NemesisSchedule nemesis = new NemesisSchedule(cluster, duration.dividedBy(3), seed,
              run.history, run.problems)) {
        int c = 0;
        for (int i = 0; i < options.transferClients(); i++) {
          group.start(c++, (id, rnd) -> transfer(router, run, id, rnd, warm));
        }
        long[] seq = new long[clients];
        for (int i = 0; i < options.newCustomerClients(); i++) {
          group.start(c++, (id, rnd) -> newCustomer(router, run, id, ++seq[id], attemptedNew,
              ackedNew));
        }
        for (int i = 0; i < options.lockedReaders(); i++) {
          group.start(c++, (id, rnd) -> lockedRead(router, run, id, population.eligible()));
        }
        for (URI member : cluster.memberBoltUris()) {
          Driver d = Clients.driver(member, Duration.ofSeconds(5));
          pinned.add(d);
          long[] previous = new long[1];
          group.start(c++, (id, rnd) -> pinnedRead(d, run, id, previous, population.eligible()));
        }
        warm.await(duration.toMillis() / 2, TimeUnit.MILLISECONDS);
        batch = runBatch(cluster, router, run, new Random(seed + 1), population);
        if (batch.acknowledged()) {
          bookmarkReadsLeft = PlatinumChecks.afterAck(cluster.memberBoltUris(), batch.bookmarks(),
              population, run, false);
        }
        group.awaitAll(Duration.ofSeconds(60));
      }
    } finally {
      pinned.forEach(Driver::close);
    }
    Runs.heal(cluster, run.problems);
    PlatinumChecks.afterAck(bookmarkReadsLeft, batch.bookmarks(), population, run, true);
    PlatinumChecks.atEnd(cluster, population, batch, attemptedNew, ackedNew, run);
    return run.result("platinum", Runs.compareDigests(cluster, run.problems));
  }

  /** What the client knows about its batch. */
  record BatchOutcome(boolean acknowledged, long granted, Set<Bookmark> bookmarks, String note) {
  }

  private BatchOutcome runBatch(Cluster cluster, Driver router, RunState run, Random rnd,
      PlatinumSetup.Population population) throws Exception {
    long inv = System.nanoTime();
    String batchId = "b" + run.seed;
    CompletableFuture<BatchOutcome> future = CompletableFuture.supplyAsync(() -> {
      try (Session s = Clients.writeSession(router)) {
        long granted = options.style() == BatchStyle.ONE_TRANSACTION
            ? s.executeWrite(tx -> {
              // The marker first: readers that take the same lock see all or nothing.
              tx.run(TAKE_BATCH_LOCK).consume();
              return tx.run(GRANT, Map.of("limit", Long.MAX_VALUE, "batch", batchId)).single()
                  .get("granted").asLong();
            })
            : s.executeWrite(tx -> tx.run(GRANT, Map.of("limit",
                Math.max(1, population.eligible() / 3), "batch", batchId)).single()
                .get("granted").asLong()); // ...and the client "crashes" before the rest
        return new BatchOutcome(true, granted, s.lastBookmarks(), "acknowledged");
      } catch (Exception e) {
        return new BatchOutcome(false, -1, Set.of(), run.unknown(e));
      }
    });
    if (options.strikeDuringBatch() && cluster.nemesis() != Nemesis.NONE) {
      String strike;
      try {
        future.get(rnd.nextInt(2_000), TimeUnit.MILLISECONDS);
        strike = "batch finished before the strike";
        run.history.add("nemesis: " + strike);
      } catch (TimeoutException inFlight) {
        strike = "during batch: " + Runs.strike(cluster, rnd, run.problems);
        run.history.add("nemesis " + strike);
      }
      run.stats.put("batchStrike", strike); // in the summary: did a fault hit the batch?
    }
    BatchOutcome outcome = future.get(10, TimeUnit.MINUTES);
    run.history.add(new Event(-1, "batch", outcome.note() + " granted=" + outcome.granted(),
        outcome.granted(), inv, System.nanoTime()));
    run.stats.put("batchMillis", (System.nanoTime() - inv) / 1_000_000);
    run.stats.put("batch", outcome.note());
    if (outcome.acknowledged()) {
      run.clients.remember(outcome.bookmarks());
    }
    return outcome;
  }

  private boolean transfer(Driver router, RunState run, int client, Random rnd,
      CountDownLatch warm) {
    long from = rnd.nextInt(options.customers());
    long to = (from + 1 + rnd.nextInt(options.customers() - 1)) % options.customers();
    long amount = 1 + rnd.nextInt(500);
    try (Session s = Clients.writeSession(router)) {
      s.executeWrite(tx -> tx.run(TRANSFER, Map.of("from", from, "to", to, "amount", amount))
          .consume());
      run.clients.remember(s);
      run.ok.incrementAndGet();
      run.writesOk.incrementAndGet();
      warm.countDown();
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }

  private boolean newCustomer(Driver router, RunState run, int client, long seq,
      Set<Long> attempted, Set<Long> acked) {
    long id = options.customers() + (client + 1) * 10_000_000L + seq;
    attempted.add(id);
    try (Session s = Clients.writeSession(router)) {
      Map<String, Object> p = new HashMap<>();
      p.put("id", id);
      p.put("b", NEW_CUSTOMER_BALANCE);
      s.executeWrite(tx -> tx.run("MERGE (c:Customer {id: $id}) "
          + "ON CREATE SET c.balance = $b, c.tier = 'standard'", p).consume());
      run.clients.remember(s);
      acked.add(id);
      run.ok.incrementAndGet();
      run.writesOk.incrementAndGet();
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }

  private boolean lockedRead(Driver router, RunState run, int client, long eligible) {
    long inv = System.nanoTime();
    try (Session s = Clients.writeSession(router)) {
      long n = s.executeWrite(tx -> {
        tx.run(TAKE_BATCH_LOCK).consume();
        return tx.run(COUNT_CARDS).single().get("n").asLong();
      });
      run.ok.incrementAndGet();
      run.problems.check(n != 0 && n != eligible, "a reader holding the batch lock saw " + n
          + " of " + eligible + " cards");
      run.history.add(new Event(client, "locked-read", "", n, inv, System.nanoTime()));
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }

  private boolean pinnedRead(Driver member, RunState run, int client, long[] previous,
      long eligible) {
    long inv = System.nanoTime();
    try (Session s = Clients.readSession(member, Set.of())) {
      long n = s.executeRead(tx -> tx.run(COUNT_CARDS).single().get("n").asLong());
      run.ok.incrementAndGet();
      run.problems.check(n > eligible, "a reader saw " + n + " cards for " + eligible
          + " eligible customers");
      run.problems.check(n < previous[0], "a reader pinned to one member saw the card count "
          + "go back from " + previous[0] + " to " + n);
      if (n > 0 && n < eligible) {
        run.count("partialBatchViews"); // read-committed allows it (docs/TESTING.md)
      }
      previous[0] = Math.max(previous[0], n);
      run.history.add(new Event(client, "read", "", n, inv, System.nanoTime()));
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }
}
