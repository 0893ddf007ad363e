package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.snapshot.KvFileStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 scenario (thesis §5): a follower that is down for longer than the retained log catches
 * up by snapshot and then by log, and ends with a state machine identical to the others'. Three
 * real runners with file stores (segmented log, meta file, snapshot directory) and a small
 * file-based key/value state machine that implements SnapshotSupport; snapshots every 40 entries,
 * 10 retained, 32 KiB chunks (a snapshot spans several chunks). The follower is really stopped and
 * restarted from its own disk, and it also restarts a second time right after the install to show
 * that the compacted log and the installed state survive a restart.
 */
class SnapshotCatchUpTest {
  private static final long TICK = 20;
  private static final SnapshotPolicy POLICY = new SnapshotPolicy(40, 10, 32 * 1024, 200);

  @TempDir Path tmp;
  private final LocalNetwork network = new LocalNetwork();
  private final Set<MemberId> voters = new LinkedHashSet<>();
  private final Map<MemberId, RaftNodeRunner> nodes = new LinkedHashMap<>();
  private final Map<MemberId, KvFileStateMachine> machines = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    nodes.values().forEach(RaftNodeRunner::close);
  }

  private RaftNodeRunner start(MemberId id) {
    KvFileStateMachine sm = new KvFileStateMachine(tmp.resolve(id + "-sm"), 100_000);
    machines.put(id, sm);
    RaftNodeRunner node = RaftNodeRunner.builder()
        .self(id)
        .initialVoters(voters)
        .config(new RaftConfig(15, 3, 64, 1L << 20, 16, 64L << 20, true, true))
        .tickMillis(TICK)
        .dataDirectory(tmp.resolve(id.value()))
        .transport(network.transport(id))
        .stateMachine(sm)
        .snapshotPolicy(POLICY)
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
   * Writes keys from..to-1 through whoever leads, pipelined; a write that fails (leader change)
   * is retried alone until it commits. Keys repeat so the map is overwritten, order-sensitively.
   */
  private void write(int from, int to) {
    RaftNodeRunner leader = leader();
    Map<Integer, CompletableFuture<?>> pending = new LinkedHashMap<>();
    for (int i = from; i < to; i++) {
      pending.put(i, leader.propose(payload(i)));
    }
    pending.forEach((i, f) -> {
      try {
        f.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
          leader().propose(payload(i)).get(5, TimeUnit.SECONDS);
          return true;
        });
      }
    });
  }

  private static long publishedSnapshots(Path dir) throws java.io.IOException {
    try (var children = Files.list(dir)) {
      return children.filter(p -> p.getFileName().toString().matches("\\d+-\\d+")).count();
    }
  }

  private static byte[] payload(int i) {
    return ("k" + (i % 37) + "=v" + i).getBytes(StandardCharsets.UTF_8);
  }

  private long[] logBounds(RaftNodeRunner n) throws Exception {
    return n.inspectLog(r -> new long[] {r.snapshotIndex(), r.lastIndex()})
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void followerDownLongerThanTheRetainedLogCatchesUpBySnapshotThenByLog() throws Exception {
    for (int i = 1; i <= 3; i++) {
      voters.add(MemberId.of("m" + i));
    }
    voters.forEach(this::start);
    write(0, 30);
    MemberId victim = voters.stream().filter(id -> !nodes.get(id).status().isLeader())
        .findFirst().orElseThrow();
    long victimApplied = await().atMost(Duration.ofSeconds(20))
        .until(() -> nodes.get(victim).status().appliedIndex(), a -> a >= 30);
    nodes.remove(victim).close();

    write(30, 200);
    RaftNodeRunner leader = leader();
    long[] leaderLog = logBounds(leader);
    assertThat(leaderLog[0]).as("leader compacted its log past the victim's last entry")
        .isGreaterThan(victimApplied + 1);
    // Published snapshots are "<index>-<term>" (a "tmp-" one may be in progress); the older one
    // goes right after the newer one is renamed into place.
    Path snapshots = tmp.resolve(leader.self().value()).resolve("snapshots");
    await("only the newest snapshot is kept").atMost(Duration.ofSeconds(20))
        .until(() -> publishedSnapshots(snapshots), n -> n == 1);

    RaftNodeRunner back = start(victim);
    write(200, 230); // writes continue while it catches up
    long target = leader().status().commitIndex();
    await().atMost(Duration.ofSeconds(60))
        .until(() -> back.status().appliedIndex() >= target);
    assertThat(machines.get(victim).installs).as("caught up by one snapshot install")
        .isEqualTo(1);
    long[] victimLog = logBounds(back);
    assertThat(victimLog[0]).as("its log starts at the installed snapshot")
        .isGreaterThan(victimApplied);
    assertThat(victimLog[1]).as("and continues by log after it").isGreaterThan(victimLog[0]);
    awaitIdentical();

    // The installed state and the compacted log survive a restart.
    nodes.remove(victim).close();
    RaftNodeRunner again = start(victim);
    write(230, 240);
    long last = leader().status().commitIndex();
    await().atMost(Duration.ofSeconds(30)).until(() -> again.status().appliedIndex() >= last);
    assertThat(machines.get(victim).installs).as("no second install after restart").isZero();
    awaitIdentical();
  }

  private void awaitIdentical() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<String> digests = new ArrayList<>();
      machines.values().forEach(sm -> digests.add(sm.digest()));
      assertThat(digests).as("state machine digests").hasSize(3);
      assertThat(Set.copyOf(digests)).as("identical state machines: %s", digests).hasSize(1);
    });
  }

  /**
   * A member added to a cluster whose log was compacted long ago (thesis §4.2.1 + §5): it joins as
   * a learner with an empty log, is caught up by a snapshot (the entries it needs are gone), then
   * by log, is promoted, and ends with the same state machine (the configuration travels in the
   * snapshot's manifest).
   */
  @Test
  void newMemberJoiningACompactedClusterCatchesUpBySnapshot() throws Exception {
    for (int i = 1; i <= 3; i++) {
      voters.add(MemberId.of("m" + i));
    }
    voters.forEach(this::start);
    write(0, 150);
    assertThat(logBounds(leader())[0]).as("compacted").isGreaterThan(1);
    MemberId joiner = MemberId.of("m4");
    RaftNodeRunner added = start(joiner); // not an initial voter: joins, waits for the leader
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
      leader().addMember(joiner).get(10, TimeUnit.SECONDS);
      return true;
    });
    write(150, 170);
    long target = leader().status().commitIndex();
    await().atMost(Duration.ofSeconds(30)).until(() -> added.status().appliedIndex() >= target);
    assertThat(machines.get(joiner).installs).as("caught up by a snapshot").isEqualTo(1);
    assertThat(added.membership().voters()).contains(joiner);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        Set.copyOf(machines.values().stream().map(KvFileStateMachine::digest).toList()))
        .as("identical state machines on all four").hasSize(1));
  }
}
