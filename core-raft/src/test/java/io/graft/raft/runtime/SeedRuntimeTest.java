package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.snapshot.KvFileStateMachine;
import io.graft.raft.runtime.snapshot.SeedMarker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeding (RaftNodeBuilder#seed): a member whose state machine already holds state (a database
 * that existed before clustering) founds a one-member cluster whose log starts AFTER that state,
 * and owes a snapshot of it. A member added later can then never replay a log that lacks the
 * state (the failure seen on real servers: joiners held only the writes made after they joined):
 * it receives the snapshot first, then the log, and ends identical. The snapshot owed survives a
 * failure to write it (retried after the next entry) and a restart (the seed marker).
 */
class SeedRuntimeTest {
  private static final MemberId SEED = MemberId.of("seed");
  private static final MemberId JOINER = MemberId.of("joiner");
  private static final SnapshotPolicy POLICY = new SnapshotPolicy(10_000, 10, 32 * 1024, 200);

  @TempDir Path tmp;
  private final LocalNetwork network = new LocalNetwork();
  private final Map<MemberId, RaftNodeRunner> nodes = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNodeRunner::close);
  }

  /** A state machine that holds {@code keys} keys "as if written before clustering". */
  private KvFileStateMachine preexisting(MemberId id, int keys) throws Exception {
    KvFileStateMachine sm = new KvFileStateMachine(tmp.resolve(id + "-sm"), 100_000);
    for (int i = 1; i <= keys; i++) {
      sm.apply(new CommittedEntry(i, 0, ("old-" + i + "=" + i).getBytes(StandardCharsets.UTF_8)));
    }
    return sm;
  }

  private RaftNodeRunner start(MemberId id, Set<MemberId> voters, StateMachine sm, boolean seed) {
    RaftNodeRunner node = RaftNodeRunner.builder()
        .self(id)
        .initialVoters(voters)
        .config(new RaftConfig(15, 3, 64, 1L << 20, 16, 64L << 20, true, true))
        .tickMillis(20)
        .dataDirectory(tmp.resolve(id.value()))
        .transport(network.transport(id))
        .stateMachine(sm)
        .snapshotPolicy(POLICY)
        .seed(seed)
        .randomSeed(id.hashCode())
        .build()
        .start();
    nodes.put(id, node);
    return node;
  }

  @Test
  void aJoinerOfASeededClusterReceivesTheSeededStateThenTheLog() throws Exception {
    KvFileStateMachine seedMachine = preexisting(SEED, 50);
    RaftNodeRunner seed = start(SEED, Set.of(SEED), seedMachine, true);
    await().atMost(Duration.ofSeconds(20)).until(() -> seed.status().isLeader());
    assertThat(seed.status().lastLogIndex()).isGreaterThan(50);
    for (int i = 0; i < 20; i++) {
      seed.propose(("new-" + i + "=" + i).getBytes(StandardCharsets.UTF_8))
          .get(10, TimeUnit.SECONDS);
    }
    Path snapshots = tmp.resolve(SEED.value()).resolve("snapshots");
    await().atMost(Duration.ofSeconds(20)).until(
        () -> SeedMarker.read(snapshots).isEmpty() && Files.isDirectory(snapshots.resolve("50-1")));

    KvFileStateMachine joinerMachine = new KvFileStateMachine(tmp.resolve("joiner-sm"), 100_000);
    start(JOINER, Set.of(SEED), joinerMachine, false);
    Membership m = seed.addMember(JOINER).get(60, TimeUnit.SECONDS);
    assertThat(m.voters()).containsExactlyInAnyOrder(SEED, JOINER);
    long last = seed.propose("final=1".getBytes(StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS).index();
    await().atMost(Duration.ofSeconds(20))
        .until(() -> nodes.get(JOINER).status().appliedIndex() >= last);
    assertThat(joinerMachine.installs).as("caught up by the seeded snapshot").isEqualTo(1);
    assertThat(joinerMachine.digest()).isEqualTo(seedMachine.digest());
    assertThat(joinerMachine.digest()).contains(":71"); // 50 old keys + 20 new + final
  }

  @Test
  void theOwedSnapshotSurvivesAFailedWriteAndARestart() throws Exception {
    KvFileStateMachine inner = preexisting(SEED, 5);
    AtomicInteger failuresLeft = new AtomicInteger(1_000);
    StateMachine failing = new DelegatingStateMachine(inner, failuresLeft);
    RaftNodeRunner seed = start(SEED, Set.of(SEED), failing, true);
    await().atMost(Duration.ofSeconds(20)).until(() -> seed.status().isLeader());
    Path snapshots = tmp.resolve(SEED.value()).resolve("snapshots");
    await().atMost(Duration.ofSeconds(20)).until(() -> failuresLeft.get() < 1_000);
    // The write failed: the marker stays; a restart still owes the snapshot.
    nodes.remove(SEED).close();
    assertThat(SeedMarker.read(snapshots)).isPresent();
    RaftNodeRunner restarted = start(SEED, Set.of(SEED), new DelegatingStateMachine(inner,
        failuresLeft), true);
    await().atMost(Duration.ofSeconds(20)).until(() -> restarted.status().isLeader());
    assertThat(SeedMarker.read(snapshots)).isPresent();
    // Once writes work again, the first entry applied takes it.
    failuresLeft.set(0);
    restarted.propose("k=v".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(() -> SeedMarker.read(snapshots).isEmpty());
    assertThat(restarted.membership().voters()).containsExactly(SEED);
  }

  @Test
  void seedingNeedsAStateAtIndexOneOrLater() {
    KvFileStateMachine empty = new KvFileStateMachine(tmp.resolve("empty-sm"), 10);
    assertThatThrownBy(() -> start(SEED, Set.of(SEED), empty, true))
        .hasMessageContaining("index 1 or later");
    assertThatThrownBy(() -> RaftNodeRunner.builder().self(SEED).initialVoters(Set.of(SEED,
        JOINER)).dataDirectory(tmp.resolve("x")).transport(network.transport(SEED))
        .stateMachine(empty).seed(true).build())
        .hasMessageContaining("initialVoters");
  }

  /** The key/value machine whose snapshot writes fail while {@code failuresLeft} is positive. */
  private static final class DelegatingStateMachine implements StateMachine, SnapshotSupport {
    private final KvFileStateMachine inner;
    private final AtomicInteger failuresLeft;

    DelegatingStateMachine(KvFileStateMachine inner, AtomicInteger failuresLeft) {
      this.inner = inner;
      this.failuresLeft = failuresLeft;
    }

    @Override
    public Object apply(CommittedEntry entry) throws Exception {
      return inner.apply(entry);
    }

    @Override
    public void onInternalEntry(long index, long term) {
      inner.onInternalEntry(index, term);
    }

    @Override
    public long lastAppliedIndex() {
      return inner.lastAppliedIndex();
    }

    @Override
    public SnapshotSupport snapshots() {
      return this;
    }

    @Override
    public long write(Path directory) throws Exception {
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new java.io.IOException("simulated snapshot failure");
      }
      return inner.write(directory);
    }

    @Override
    public void install(Path directory, long index) throws Exception {
      inner.install(directory, index);
    }
  }
}
