package io.graft.raft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.boot.RaftNodes;
import io.graft.raft.runtime.NodeAssembly;
import io.graft.raft.runtime.SnapshotPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api entry point other modules build a production member with ({@link RaftNodeSetup}, started
 * by {@link RaftNodes}): what it checks, what it derives (ticks, limits that follow the largest
 * entry, the snapshot policy), and a member started through it on a real disk and socket that
 * elects itself and commits.
 */
class RaftNodeSetupTest {
  private static final MemberId SELF = MemberId.of("127.0.0.1:7000");

  @Test
  void startRefusesAnIncompleteSetupAndAddressesGoThroughRaftAddress(@TempDir Path dir) {
    assertThatThrownBy(() -> RaftNodes.start(RaftNodeSetup.member(SELF, dir), new Counter()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("listen address");
    assertThatThrownBy(() -> RaftNodeSetup.member(SELF, dir).listenAddress("::1:7000"))
        .isInstanceOf(RaftAddress.MalformedAddressException.class)
        .hasMessageContaining("IPv6 hosts need [brackets]");
    assertThat(RaftNodeSetup.member(SELF, dir).listenAddress(" 127.0.0.1:0 ").listenAddress())
        .isEqualTo("127.0.0.1:0");
  }

  @Test
  void derivesTicksLimitsAndSnapshotPolicy(@TempDir Path dir) {
    RaftNodeSetup setup = RaftNodeSetup.member(SELF, dir).listenAddress("127.0.0.1:0")
        .clusterId("c").initialVoters(List.of(SELF))
        .timeouts(Duration.ofSeconds(1), Duration.ofMillis(100))
        .maxEntryBytes(300L << 20);
    assertThat(NodeAssembly.tickMillis(setup)).isEqualTo(50);
    assertThat(NodeAssembly.raftConfig(setup).electionTimeoutTicks()).isEqualTo(20);
    assertThat(NodeAssembly.raftConfig(setup).appendBytesMax()).isEqualTo(300L << 20);
    assertThat(NodeAssembly.raftConfig(setup).uncommittedBytesMax()).isGreaterThanOrEqualTo(
        300L << 20);
    assertThat((long) NodeAssembly.transportConfig(setup).maxFrameBytes())
        .isGreaterThan(300L << 20);
    assertThat(NodeAssembly.snapshotPolicy(setup)).isEqualTo(SnapshotPolicy.defaults());
    SnapshotPolicy set = NodeAssembly.snapshotPolicy(setup.snapshots(40, 5));
    assertThat(set.snapshotEveryEntries()).isEqualTo(40);
    assertThat(set.retainEntries()).isEqualTo(5);
  }

  @Test
  void aMemberStartedThroughTheApiCommitsAndLeavesRaftState(@TempDir Path dir) throws Exception {
    assertThat(RaftNodes.hasRaftState(dir)).isFalse();
    Counter counter = new Counter();
    RaftNode node = RaftNodes.start(RaftNodeSetup.member(SELF, dir).listenAddress("127.0.0.1:0")
        .clusterId("setup-test").initialVoters(List.of(SELF))
        .timeouts(Duration.ofMillis(200), Duration.ofMillis(50)), counter);
    try {
      await("the single voter elects itself").atMost(Duration.ofSeconds(60))
          .until(() -> node.status().role() == Role.LEADER);
      CommitResult result = node.propose("x".getBytes(StandardCharsets.UTF_8))
          .get(60, TimeUnit.SECONDS);
      assertThat(result.index()).isPositive();
      assertThat(counter.applied.get()).isEqualTo(1);
    } finally {
      node.close();
    }
    assertThat(RaftNodes.hasRaftState(dir)).isTrue();
  }

  private static final class Counter implements StateMachine {
    final AtomicLong applied = new AtomicLong();
    volatile long lastApplied;

    @Override
    public Object apply(CommittedEntry entry) {
      lastApplied = entry.index();
      return applied.incrementAndGet();
    }

    @Override
    public long lastAppliedIndex() {
      return lastApplied;
    }
  }
}
