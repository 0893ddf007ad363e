package io.graft.bench.neo;

import io.graft.cluster.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.neo4j.driver.Session;
import org.neo4j.driver.Values;

/**
 * Failover trials: one client writes {@code (:Customer)} nodes back to back to whoever it believes
 * is leader (light load); the leader is killed with SIGKILL; the trial measures the time from the
 * kill until the first write acknowledged by another member. After a failed write the client asks
 * the live members' {@code raft.status()} for a leader every 20 ms, as an application would. The
 * killed member is restarted and the cluster re-agrees on a leader before the next trial.
 *
 * <p>Run on its own ({@code benchmarks/run-neo4j-failover.sh}, {@link #main}): the trials on a
 * fresh cluster, and a stability run that writes with many clients for minutes, with no fault,
 * and counts the elections that nothing caused ({@link NeoStability}).
 */
final class NeoFailover {
  /** One trial. {@code agreedMillis} is when polling first saw one agreed leader (§5.2). */
  record Trial(int number, int killed, int newLeader, long firstAckMillis, long agreedMillis,
      long ackedBefore, String clientSide) {}

  private static final Duration LIMIT = Duration.ofSeconds(60);

  private final LocalCluster cluster;
  private final Consumer<String> progress;
  private final AtomicLong ids;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong acks = new AtomicLong();
  private volatile int target;
  private volatile int lastAckMember;
  private volatile long killMark = Long.MAX_VALUE;
  private volatile int killedMember;
  private volatile long firstAckNanos;
  private volatile int firstAckMember;
  /** What the client went through after the kill: failed writes and leader lookups, in order. */
  private final StringBuilder clientLog = new StringBuilder();
  private int failedWrites;

  NeoFailover(LocalCluster cluster, Consumer<String> progress, AtomicLong ids) {
    this.cluster = cluster;
    this.progress = progress;
    this.ids = ids;
  }

  List<Trial> run(int trials) throws Exception {
    List<Trial> results = new ArrayList<>();
    target = cluster.awaitLeader();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    Future<?> writer = executor.submit(this::writeLoop);
    try {
      for (int t = 1; t <= trials; t++) {
        Trial trial = trial(t);
        results.add(trial);
        progress.accept(String.format("[failover] trial %d: killed member-%d, member-%d acked a"
            + " write after %d ms (agreed leader seen after %d ms); client: %s", t,
            trial.killed(), trial.newLeader(), trial.firstAckMillis(), trial.agreedMillis(),
            trial.clientSide()));
      }
    } finally {
      running.set(false);
      writer.get(2, TimeUnit.MINUTES);
      executor.shutdownNow();
    }
    return results;
  }

  private Trial trial(int number) {
    int leader = cluster.awaitLeader();
    target = leader;
    long before = acks.get();
    awaitCondition("writes on member-" + leader,
        () -> acks.get() >= before + 20 && lastAckMember == leader);
    long ackedBefore = acks.get();
    long killedAt;
    synchronized (this) {
      firstAckNanos = 0;
      killedMember = leader;
      killedAt = System.nanoTime();
      killMark = killedAt;
      clientLog.setLength(0);
      failedWrites = 0;
    }
    cluster.kill9(leader);
    List<Integer> rest = new ArrayList<>();
    for (int m = 1; m <= cluster.size(); m++) {
      if (m != leader) {
        rest.add(m);
      }
    }
    int agreed = cluster.probe().awaitLeader(rest, LIMIT, line -> { });
    long agreedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    awaitCondition("a write acknowledged after the kill", () -> firstAckNanos != 0);
    long firstAck;
    int newLeader;
    String clientSide;
    synchronized (this) {
      firstAck = firstAckNanos;
      newLeader = firstAckMember;
      killMark = Long.MAX_VALUE;
      clientSide = failedWrites + " failed writes" + clientLog;
    }
    progress.accept("[failover] restarting member-" + leader);
    cluster.restart(leader);
    return new Trial(number, leader, newLeader == 0 ? agreed : newLeader,
        TimeUnit.NANOSECONDS.toMillis(firstAck - killedAt), agreedMillis, ackedBefore,
        clientSide);
  }

  /** Notes a client-side event after the kill (first few of each kind), with its time. */
  private synchronized void note(String what) {
    if (killMark == Long.MAX_VALUE || clientLog.length() > 1500) {
      return;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killMark);
    clientLog.append("; ").append(ms).append(" ms ").append(what);
  }

  private void writeLoop() {
    while (running.get()) {
      int member = target;
      long begin = System.nanoTime();
      try (Session session = cluster.probe().session(member)) {
        session.run(NeoLoad.WRITE, Values.parameters("i", ids.incrementAndGet())).consume();
        long now = System.nanoTime();
        recordAck(member, now);
      } catch (RuntimeException e) {
        long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        synchronized (this) {
          // The first failures and every one on a member still alive (the new leader's).
          if (killMark != Long.MAX_VALUE
              && (failedWrites++ < 2 || member != killedMember)) {
            String msg = String.valueOf(e.getMessage());
            note("write to member-" + member + " failed after " + failedAfter + " ms: "
                + e.getClass().getSimpleName() + " "
                + msg.substring(0, Math.min(90, msg.length())));
          }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        Optional<Integer> found = findLeader();
        found.ifPresent(m -> {
          if (m != target) {
            note("leader lookup: member-" + m);
          }
          target = m;
        });
      }
    }
  }

  /** The first write that another member acknowledged after the kill ends the trial's clock. */
  private synchronized void recordAck(int member, long now) {
    if (firstAckNanos == 0 && now > killMark && member != killedMember) {
      firstAckNanos = now;
      firstAckMember = member;
    }
    lastAckMember = member;
    acks.incrementAndGet();
  }

  private Optional<Integer> findLeader() {
    for (int m = 1; m <= cluster.size(); m++) {
      if (!cluster.server(m).isAlive()) {
        continue;
      }
      Optional<Map<String, Object>> row = cluster.probe().status(m);
      if (row.isPresent() && "LEADER".equals(row.get().get("role"))) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  private static void awaitCondition(String what, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }
}
