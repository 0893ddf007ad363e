package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.snapshot.KvFileStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots that do not stall the apply thread (issue 10): a state machine whose support {@link
 * SnapshotSupport#writesWhileApplying writes while applying} is snapshotted on a thread of its
 * own; entries keep committing and being applied while its write runs, the snapshot covers the
 * index the write chose (with that index's term), and a follower catches up by installing it. A
 * snapshot is also due after {@link SnapshotPolicy#snapshotEveryBytes} applied bytes, and the log
 * is never compacted past the state machine's {@link StateMachine#durableIndex}.
 */
class SnapshotWhileApplyingTest {
  private static final long TICK = 20;

  @TempDir Path tmp;
  private final LocalNetwork network = new LocalNetwork();
  private final Set<MemberId> voters = new LinkedHashSet<>();
  private final Map<MemberId, RaftNodeRunner> nodes = new LinkedHashMap<>();
  private final Map<MemberId, SlowWriter> machines = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    machines.values().forEach(m -> m.gate.countDown());
    nodes.values().forEach(RaftNodeRunner::close);
  }

  /**
   * The key/value machine of the other snapshot tests, whose write first waits on {@link #gate}
   * (a long copy while applies go on), then takes its cut: the map and applied index of that
   * moment, under the machine's own lock, as an apply would see them.
   */
  private static final class SlowWriter implements StateMachine, SnapshotSupport {
    final KvFileStateMachine kv;
    final boolean concurrent;
    final CountDownLatch writeStarted = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    volatile long appliedWhenWriteStarted = -1;
    volatile long durable = Long.MAX_VALUE;
    volatile long lastCut = -1;
    /** Payload bytes of the application entries applied (apply thread). */
    volatile long appliedPayload;
    /** Per write: {payload bytes applied when it started, bytes of the files it wrote}. */
    final List<long[]> writes = new java.util.concurrent.CopyOnWriteArrayList<>();

    SlowWriter(Path dir, boolean concurrent) {
      this.kv = new KvFileStateMachine(dir, 10_000);
      this.concurrent = concurrent;
    }

    @Override
    public Object apply(CommittedEntry entry) throws Exception {
      appliedPayload += entry.payload().length;
      return kv.apply(entry);
    }

    @Override
    public void onInternalEntry(long index, long term) {
      kv.onInternalEntry(index, term);
    }

    @Override
    public long lastAppliedIndex() {
      return kv.lastAppliedIndex();
    }

    @Override
    public long durableIndex() {
      return Math.min(durable, kv.lastAppliedIndex());
    }

    @Override
    public SnapshotSupport snapshots() {
      return this;
    }

    @Override
    public boolean writesWhileApplying() {
      return concurrent;
    }

    @Override
    public long write(Path directory) throws Exception {
      appliedWhenWriteStarted = kv.lastAppliedIndex();
      writeStarted.countDown();
      if (!gate.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
      long payloadAtStart = appliedPayload;
      lastCut = kv.write(directory);
      try (Stream<Path> files = Files.walk(directory)) {
        long bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        writes.add(new long[] {payloadAtStart, bytes});
      }
      return lastCut;
    }

    @Override
    public void install(Path directory, long index) throws Exception {
      kv.install(directory, index);
    }
  }

  private RaftNodeRunner start(MemberId id, SnapshotPolicy policy, boolean concurrent) {
    SlowWriter sm = machines.computeIfAbsent(id,
        k -> new SlowWriter(tmp.resolve(id + "-sm"), concurrent));
    RaftNodeRunner node = RaftNodeRunner.builder()
        .self(id)
        .initialVoters(voters)
        .config(new RaftConfig(15, 3, 64, 1L << 20, 16, 64L << 20, true, true))
        .tickMillis(TICK)
        .dataDirectory(tmp.resolve(id.value()))
        .transport(network.transport(id))
        .stateMachine(sm)
        .snapshotPolicy(policy)
        .randomSeed(id.hashCode())
        .build()
        .start();
    nodes.put(id, node);
    return node;
  }

  private RaftNodeRunner leader() {
    return await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream()
        .filter(n -> n.status().isLeader()).findFirst().orElse(null), n -> n != null);
  }

  /**
   * Writes keys from..to-1 through the leader, pipelined, and waits for all of them; a write a
   * re-election dropped or refused (a loaded machine starves a heartbeat) is proposed again
   * through whoever leads then ({@link Reelections#commit}). Any other failure fails the test.
   */
  private void write(int from, int to) throws Exception {
    RaftNodeRunner leader = leader();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = from; i < to; i++) {
      pending.add(leader.propose(payload(i)));
    }
    for (int i = from; i < to; i++) {
      try {
        pending.get(i - from).get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!Reelections.reelection(e)) {
          throw e;
        }
        Reelections.commit(this::leaderOrNull, payload(i));
      }
    }
  }

  private RaftNodeRunner leaderOrNull() {
    return nodes.values().stream().filter(n -> n.status().isLeader()).findFirst().orElse(null);
  }

  private static byte[] payload(int i) {
    return ("k" + (i % 37) + "=v" + i).getBytes(StandardCharsets.UTF_8);
  }

  private long[] logBounds(RaftNodeRunner n) throws Exception {
    return n.inspectLog(r -> new long[] {r.snapshotIndex(), r.lastIndex()})
        .get(10, TimeUnit.SECONDS);
  }

  /** {index, term} of the newest complete snapshot ("<index>-<term>" folder), or null. */
  private long[] newestSnapshot(MemberId id) throws Exception {
    Path dir = tmp.resolve(id.value()).resolve("snapshots");
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+-\\d+"))
          .map(n -> new long[] {Long.parseLong(n.split("-")[0]), Long.parseLong(n.split("-")[1])})
          .max(Comparator.comparingLong(a -> a[0])).orElse(null);
    }
  }

  @Test
  void entriesKeepBeingAppliedWhileTheSnapshotIsWrittenAndItCoversTheIndexItChose()
      throws Exception {
    SnapshotPolicy policy = new SnapshotPolicy(40, 10, 32 * 1024, 200);
    for (int i = 1; i <= 3; i++) {
      voters.add(MemberId.of("m" + i));
    }
    voters.forEach(id -> start(id, policy, true));
    MemberId follower = voters.stream().filter(id -> !nodes.get(id).status().isLeader())
        .findFirst().orElseThrow();
    write(0, 20);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> nodes.get(follower).status().appliedIndex() >= 20);
    machines.get(follower).gate.countDown(); // the follower snapshots freely
    nodes.remove(follower).close();

    write(20, 60); // the 40th entry makes a snapshot due on the leader
    RaftNodeRunner leader = leader();
    SlowWriter leaderMachine = machines.get(leader.self());
    assertThat(leaderMachine.writeStarted.await(20, TimeUnit.SECONDS))
        .as("the leader's snapshot write started").isTrue();
    long atStart = leaderMachine.appliedWhenWriteStarted;
    write(60, 160); // while its write waits at the gate
    assertThat(leader.status().appliedIndex())
        .as("100 more entries applied while the snapshot was being written")
        .isGreaterThanOrEqualTo(atStart + 100);
    assertThat(newestSnapshot(leader.self())).as("not published before the write ends")
        .isNull();

    leaderMachine.gate.countDown();
    long[] s = await().atMost(Duration.ofSeconds(20))
        .until(() -> newestSnapshot(leader.self()), snap -> snap != null);
    assertThat(s[0]).as("the snapshot covers the cut its write chose, after the applies")
        .isEqualTo(leaderMachine.lastCut).isGreaterThanOrEqualTo(atStart + 100);
    assertThat(s[1]).as("with that index's term").isEqualTo(leader.status().term());
    await().atMost(Duration.ofSeconds(20)).until(() -> logBounds(leader)[0] > 20);

    // The follower was down past the compacted prefix: it catches up by installing the
    // snapshot (which checks that its files are at the manifest's index), then by log.
    RaftNodeRunner back = start(follower, policy, true);
    write(160, 170);
    long target = leader().status().commitIndex();
    await().atMost(Duration.ofSeconds(60)).until(() -> back.status().appliedIndex() >= target);
    assertThat(machines.get(follower).kv.installs).as("caught up by a snapshot install")
        .isEqualTo(1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Set.copyOf(
        machines.values().stream().map(m -> m.kv.digest()).toList()))
        .as("identical state machines").hasSize(1));
  }

  @Test
  void aSnapshotIsDueAfterEnoughAppliedBytesAndCompactionStopsAtTheDurableIndex()
      throws Exception {
    // Entries alone would never make a snapshot due; ~12-byte payloads, 1 KiB per snapshot.
    SnapshotPolicy policy = new SnapshotPolicy(1_000_000, 5, 32 * 1024, 200, 1024);
    MemberId only = MemberId.of("m1");
    voters.add(only);
    SlowWriter sm = new SlowWriter(tmp.resolve(only + "-sm"), false);
    sm.gate.countDown();
    sm.durable = 30;
    machines.put(only, sm);
    RaftNodeRunner node = start(only, policy, false);
    write(0, 200);
    long[] s = await().atMost(Duration.ofSeconds(20))
        .until(() -> newestSnapshot(only), snap -> snap != null);
    assertThat(s[0]).as("a snapshot by bytes, long before 1,000,000 entries")
        .isLessThan(1_000_000);
    assertThat(logBounds(node)[0]).as("never compacted past the durable index")
        .isLessThanOrEqualTo(30);

    sm.durable = Long.MAX_VALUE;
    write(200, 400);
    await().atMost(Duration.ofSeconds(20)).until(() -> logBounds(node)[0] > 30);
  }

  /**
   * With a log-to-snapshot ratio, a snapshot that copies a growing state is not taken every
   * {@code snapshotEveryEntries} entries but once the payload applied since the last one is that
   * ratio of its size (thesis §5.1.3): each ~10 KB snapshot here waits for ~2.5 KB of ~11-byte
   * entries, where the entry interval alone (20) would take one every ~220 bytes.
   */
  @Test
  void withALogRatioTheNextSnapshotWaitsForThatShareOfTheLastOnesSize() throws Exception {
    double ratio = 0.25;
    List<long[]> w = snapshotsOfOneMember(ratio, 1200);
    // internal entries (the leader's no-op, configurations) count too: a few bytes of slack
    for (int i = 1; i < w.size(); i++) {
      long applied = w.get(i)[0] - w.get(i - 1)[0];
      assertThat(applied + 64).as("payload applied between snapshots %d and %d (previous one"
          + " %d bytes)", i, i + 1, w.get(i - 1)[1])
          .isGreaterThanOrEqualTo((long) (ratio * w.get(i - 1)[1]));
    }
    assertThat(w.size()).as("snapshots over ~13 KB of payload: a few, not one per 20 entries")
        .isBetween(3, 8);
  }

  /**
   * The same policy without the ratio: the entry interval alone decides, and snapshots follow one
   * another after far less payload than a quarter of their size (so the check above can fail).
   */
  @Test
  void withoutTheRatioTheEntryIntervalAloneDecides() throws Exception {
    List<long[]> w = snapshotsOfOneMember(0, 400);
    long smallestGap = Long.MAX_VALUE;
    for (int i = 1; i < w.size(); i++) {
      smallestGap = Math.min(smallestGap, w.get(i)[0] - w.get(i - 1)[0]);
    }
    assertThat(smallestGap).as("payload between two snapshots, each ~10 KB")
        .isLessThan((long) (0.25 * w.get(0)[1]) - 64);
  }

  /**
   * One member snapshotting every 20 entries (and {@code ratio}) on the apply thread, written
   * {@code entries} keys in runs of 40: per snapshot, {payload applied when it was written, bytes}.
   */
  private List<long[]> snapshotsOfOneMember(double ratio, int entries) throws Exception {
    SnapshotPolicy policy = new SnapshotPolicy(20, 5, 32 * 1024, 200, Long.MAX_VALUE, ratio);
    MemberId only = MemberId.of("m1");
    voters.add(only);
    SlowWriter sm = new SlowWriter(tmp.resolve(only + "-sm"), false);
    sm.gate.countDown();
    machines.put(only, sm);
    start(only, policy, false);
    for (int from = 0; from < entries; from += 40) {
      write(from, from + 40); // one applied run after another
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> sm.writes.size() >= 3);
    return List.copyOf(sm.writes);
  }
}
