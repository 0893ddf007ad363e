package io.graft.it.workload;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.neo4j.driver.Bookmark;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * The bank workload (docs/TESTING.md Tier 5): accounts are nodes with a balance; transfers move
 * money in one transaction and never overdraw. Checks, each limited to what the store promises:
 * <ul>
 *   <li>every read sees every account and no negative balance (each record value read is a
 *       committed one, and every committed balance is non-negative);</li>
 *   <li>a read that first write-locks every account it sums sees exactly the constant total (no
 *       transfer can be half-visible while it holds all the locks);</li>
 *   <li>a plain read-committed read may catch a transfer mid-apply, so its sum is only counted
 *       ({@code plainReadsOffTotal}), never asserted;</li>
 *   <li>at the end, on every member, reading with the bookmarks of all writes: every account,
 *       none negative, the exact total, identical balances on all members.</li>
 * </ul>
 * {@link TransferStyle#SPLIT_WITH_CRASH} is a deliberately broken transfer (debit and credit in
 * two transactions, with an injected client crash between them) used to prove the checks fail.
 */
public final class BankWorkload {

  /** How a transfer is written. */
  public enum TransferStyle { ATOMIC, SPLIT_WITH_CRASH }

  /** Shape of a run. */
  public record Options(int accounts, long initialBalance, int transferClients,
      int lockedReaders, int plainReaders, long maxOps, TransferStyle style, double crashRate) {

    public static Options defaults() {
      return new Options(8, 100, 3, 1, 1, 4_000, TransferStyle.ATOMIC, 0);
    }

    public Options broken(double rate) {
      return new Options(accounts, initialBalance, transferClients, lockedReaders, plainReaders,
          maxOps, TransferStyle.SPLIT_WITH_CRASH, rate);
    }
  }

  /** One history event: a transfer or a read, with what the client saw. */
  public record Event(int client, String kind, long from, long to, long amount, String outcome,
      long total, long invokeNanos, long returnNanos) {
  }

  private static final String LOCK_PAIR =
      "MATCH (a:Account {id: $from}), (b:Account {id: $to}) SET a._lock = true, b._lock = true ";
  private static final String TRANSFER = LOCK_PAIR
      + "WITH a, b WHERE a.balance >= $amount "
      + "SET a.balance = a.balance - $amount, b.balance = b.balance + $amount "
      + "RETURN count(*) AS moved";
  private static final String DEBIT = "MATCH (a:Account {id: $from}) SET a._lock = true "
      + "WITH a WHERE a.balance >= $amount SET a.balance = a.balance - $amount "
      + "RETURN count(*) AS moved";
  private static final String CREDIT =
      "MATCH (b:Account {id: $to}) SET b.balance = b.balance + $amount";
  private static final String SUM = "MATCH (a:Account) "
      + "RETURN count(a) AS n, sum(a.balance) AS total, min(a.balance) AS low";

  private final Options options;

  public BankWorkload(Options options) {
    this.options = options;
  }

  public WorkloadResult run(Cluster cluster, Duration duration, long seed) throws Exception {
    System.out.println("[bank] seed=" + seed + " options=" + options + " on " + cluster);
    RunState run = new RunState("bank", seed);
    try (Driver router = Clients.driver(cluster.routingUri(), Duration.ofSeconds(15))) {
      setup(router, run);
      int clients = options.transferClients() + options.lockedReaders() + options.plainReaders();
      try (ClientGroup group = new ClientGroup("bank", clients, duration, options.maxOps(), run,
          cluster.nemesis());
          NemesisSchedule nemesis = new NemesisSchedule(cluster, duration.dividedBy(4), seed,
              run.history, run.problems)) {
        int c = 0;
        for (int i = 0; i < options.transferClients(); i++) {
          group.start(c++, (id, rnd) -> transfer(router, run, id, rnd));
        }
        for (int i = 0; i < options.lockedReaders(); i++) {
          group.start(c++, (id, rnd) -> lockedRead(router, run, id));
        }
        for (int i = 0; i < options.plainReaders(); i++) {
          group.start(c++, (id, rnd) -> plainRead(router, run, id));
        }
        group.awaitAll(Duration.ofSeconds(60));
      }
    }
    Runs.heal(cluster, run.problems);
    Map<String, Map<Long, Long>> balances = new TreeMap<>();
    for (URI member : cluster.memberBoltUris()) {
      balances.put(member.toString(), finalCheck(member, run.clients.bookmarks(), run.problems));
    }
    run.problems.check(new HashSet<>(balances.values()).size() > 1,
        "members hold different balances: " + balances);
    Map<String, String> digests = Runs.compareDigests(cluster, run.problems);
    return run.result("bank", digests);
  }

  private long expectedTotal() {
    return options.accounts() * options.initialBalance();
  }

  private void setup(Driver router, RunState run) {
    try (Session s = Clients.writeSession(router)) {
      s.executeWrite(tx -> tx.run("MATCH (a:Account) DETACH DELETE a").consume());
      s.executeWrite(tx -> tx.run("UNWIND range(0, $n - 1) AS i "
          + "CREATE (:Account {id: i, balance: $b})",
          Map.of("n", options.accounts(), "b", options.initialBalance())).consume());
      run.clients.remember(s);
    }
  }

  private boolean transfer(Driver router, RunState run, int client, Random rnd) {
    long from = rnd.nextInt(options.accounts());
    long to = (from + 1 + rnd.nextInt(options.accounts() - 1)) % options.accounts();
    long amount = 1 + rnd.nextInt((int) Math.max(1, options.initialBalance() / 2));
    Map<String, Object> params = Map.of("from", from, "to", to, "amount", amount);
    long inv = System.nanoTime();
    String outcome;
    try (Session s = Clients.writeSession(router)) {
      if (options.style() == TransferStyle.ATOMIC) {
        long moved = s.executeWrite(tx -> tx.run(TRANSFER, params).single().get("moved").asLong());
        outcome = moved == 1 ? "moved" : "insufficient";
      } else {
        outcome = splitTransfer(s, params, rnd);
      }
      run.clients.remember(s);
      run.ok.incrementAndGet();
      run.writesOk.incrementAndGet();
    } catch (Exception e) {
      outcome = run.unknown(e);
    }
    run.history.add(new Event(client, "transfer", from, to, amount, outcome, -1, inv,
        System.nanoTime()));
    return true;
  }

  /** The broken transfer: two transactions, and a simulated client crash between them. */
  private String splitTransfer(Session s, Map<String, Object> params, Random rnd) {
    long moved = s.executeWrite(tx -> tx.run(DEBIT, params).single().get("moved").asLong());
    if (moved == 0) {
      return "insufficient";
    }
    if (rnd.nextDouble() < options.crashRate()) {
      return "crashed between debit and credit";
    }
    s.executeWrite(tx -> tx.run(CREDIT, params).consume());
    return "moved";
  }

  private boolean lockedRead(Driver router, RunState run, int client) {
    long inv = System.nanoTime();
    try (Session s = Clients.writeSession(router)) {
      Record r = s.executeWrite(tx -> {
        // §"Mind Neo4j's isolation": take the writers' locks first, then sum.
        tx.run("MATCH (a:Account) SET a._lock = true").consume();
        return tx.run(SUM).single();
      });
      run.clients.remember(s);
      run.ok.incrementAndGet();
      checkRead(run, r, true, "locked read by client " + client);
      run.history.add(new Event(client, "locked-read", -1, -1, -1, "ok",
          r.get("total").asLong(), inv, System.nanoTime()));
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }

  private boolean plainRead(Driver router, RunState run, int client) {
    long inv = System.nanoTime();
    try (Session s = Clients.readSession(router, Set.of())) {
      Record r = s.executeRead(tx -> tx.run(SUM).single());
      run.ok.incrementAndGet();
      checkRead(run, r, false, "read-committed read by client " + client);
      run.history.add(new Event(client, "read", -1, -1, -1, "ok", r.get("total").asLong(), inv,
          System.nanoTime()));
    } catch (Exception e) {
      run.unknown(e);
    }
    return true;
  }

  private void checkRead(RunState run, Record r, boolean locked, String what) {
    long n = r.get("n").asLong();
    long total = r.get("total").asLong();
    run.problems.check(n != options.accounts(), what + " saw " + n + " accounts, expected "
        + options.accounts());
    if (n > 0) {
      long low = r.get("low").asLong();
      run.problems.check(low < 0, what + " saw a negative balance " + low);
    }
    if (locked) {
      run.problems.check(total != expectedTotal(), what + " saw total " + total + ", expected "
          + expectedTotal());
    } else if (total != expectedTotal()) {
      run.count("plainReadsOffTotal");
    }
  }

  private Map<Long, Long> finalCheck(URI member, Set<Bookmark> bookmarks, Problems problems) {
    Map<Long, Long> balances = new TreeMap<>();
    try (Driver d = Clients.driver(member, Duration.ofSeconds(30));
        Session s = Clients.readSession(d, bookmarks)) {
      s.executeRead(tx -> tx.run("MATCH (a:Account) RETURN a.id AS id, a.balance AS b").list())
          .forEach(r -> balances.put(r.get("id").asLong(), r.get("b").asLong()));
    } catch (Exception e) {
      problems.add("final read on " + member + " failed: " + OpOutcome.describe(e));
      return balances;
    }
    String where = "at the end on " + member;
    for (long id = 0; id < options.accounts(); id++) {
      problems.check(!balances.containsKey(id), where + " account " + id + " is missing");
    }
    problems.check(balances.size() != options.accounts(), where + " " + balances.size()
        + " accounts, expected " + options.accounts());
    balances.forEach((id, b) -> problems.check(b < 0, where + " account " + id + " is " + b));
    long total = balances.values().stream().mapToLong(Long::longValue).sum();
    problems.check(total != expectedTotal(), where + " total " + total + ", expected "
        + expectedTotal());
    return balances;
  }

}
