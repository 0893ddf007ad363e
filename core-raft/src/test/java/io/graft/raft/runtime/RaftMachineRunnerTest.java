package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.ProposalDroppedException;
import io.graft.raft.api.metrics.HistogramSnapshot;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.api.metrics.RaftMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner driving the real {@link io.graft.raft.protocol.RaftMachine}. */
class RaftMachineRunnerTest extends RaftNodeRunnerTest {
  private LocalCluster own;

  @Override
  ConsensusMachine.Factory factory() {
    return ConsensusMachine.RAFT;
  }

  @AfterEach
  void closeOwn() {
    if (own != null) {
      own.close();
    }
  }

  @Test
  void slowStateMachineMakesTheLeaderRejectProposalsOnceTheApplyBacklogIsFull() throws Exception {
    Reelections.inOneTerm("apply backlog on the leader", term -> {
      own = new LocalCluster(3, factory(), 11);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      try {
        for (io.graft.raft.api.MemberId id : own.voters) {
          // 4,500 bytes: the five 1 KB proposals below are accepted however they are batched
          // (the backlog before the fifth is at most 4 x 1,024 bytes), a sixth after all five
          // is not.
          own.start(id, b -> b.applyBacklogBytesMax(4_500).stateMachine(blockingUntil(release)));
        }
        RaftNodeRunner leader = term.watch(own.awaitLeader());
        List<CompletableFuture<CommitResult>> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          accepted.add(leader.propose(new byte[1000]));
        }
        // Committed but not applied (the apply thread is stuck in the first entry): > 5 KB behind.
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  assertThat(accepted).noneMatch(CompletableFuture::isCompletedExceptionally);
                  return leader.status().commitIndex() - leader.status().appliedIndex() >= 5;
                });
        CompletableFuture<CommitResult> rejected = leader.propose(new byte[1000]);
        assertThatThrownBy(() -> rejected.get(10, TimeUnit.SECONDS))
            .cause()
            .isInstanceOf(io.graft.raft.api.ProposalRejectedException.class)
            .hasMessageContaining("apply backlog");
        release.countDown();
        for (CompletableFuture<CommitResult> f : accepted) {
          assertThat(f.get(10, TimeUnit.SECONDS).index()).isPositive();
        }
        assertThat(leader.propose(new byte[10]).get(10, TimeUnit.SECONDS).index()).isPositive();
        return null;
      } finally {
        release.countDown();
        own.close();
      }
    });
  }

  private static io.graft.raft.api.StateMachine blockingUntil(
      java.util.concurrent.CountDownLatch release) {
    return new io.graft.raft.api.StateMachine() {
      private volatile long applied;

      @Override
      public Object apply(io.graft.raft.api.CommittedEntry entry) throws Exception {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("test never released the state machine");
        }
        applied = entry.index();
        return null;
      }

      @Override
      public void onInternalEntry(long index, long term) {
        applied = index;
      }

      @Override
      public long lastAppliedIndex() {
        return applied;
      }
    };
  }

  /** CheckQuorum (§6.2) deposes a cut-off leader; its open proposals end as "outcome unknown". */
  @Test
  void isolatedLeaderStepsDownAndFailsOpenProposalsAsDropped() throws Exception {
    Reelections.inOneTerm("isolated leader drops its proposals", term -> {
      own = new LocalCluster(3, factory(), 7).start();
      try {
        Reelections.commit(own::awaitLeader, new byte[] {0});
        // Not watched: it is meant to lose its term. Void only if it lost it before it took the
        // proposals (a starved owner thread): they then fail as NotLeader, not as dropped.
        RaftNodeRunner leader = own.awaitLeader();
        own.network.isolate(leader.self());
        List<CompletableFuture<CommitResult>> open = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          open.add(leader.propose(new byte[] {(byte) i}));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !leader.status().isLeader());
        await().atMost(Duration.ofSeconds(10))
            .until(() -> open.stream().allMatch(CompletableFuture::isDone));
        if (open.stream().map(f -> f.handle((r, e) -> e).join())
            .anyMatch(e -> e instanceof io.graft.raft.api.NotLeaderException)) {
          term.voidAttempt(leader.self() + " stepped down before it took the proposals");
        }
        for (CompletableFuture<CommitResult> f : open) {
          assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
              .cause()
              .isInstanceOf(ProposalDroppedException.class)
              .hasMessageContaining("outcome is unknown");
        }
        own.network.heal(leader.self());
        Reelections.commit(own::awaitLeader, new byte[] {42});
        return null;
      } finally {
        own.close();
      }
    });
  }

  /**
   * RaftNode.metrics(): on the leader every proposal records each write stage once, in timeline
   * order; every member counts its fsyncs and the entries they covered; elections and leader
   * changes are counted.
   */
  @Test
  void metricsRecordEveryWriteStageOnTheLeaderAndFsyncsEverywhere() throws Exception {
    Reelections.inOneTerm("write-stage metrics of one leader", term -> {
      own = new LocalCluster(3, factory(), 5).start();
      try {
        RaftNodeRunner leader = term.watch(own.awaitLeader());
        long proposalsBefore = leader.metrics().proposals();
        List<CompletableFuture<CommitResult>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          futures.add(leader.propose(new byte[] {(byte) i}));
        }
        for (CompletableFuture<CommitResult> f : futures) {
          f.get(30, TimeUnit.SECONDS);
        }
        RaftMetrics m = leader.metrics();
        assertThat(term.held()).as("no leader change during the test").isTrue();
        assertThat(m.proposals() - proposalsBefore).isEqualTo(200);
        assertThat(m.term()).isEqualTo(leader.status().term()).isPositive();
        for (LeaderStage stage : LeaderStage.values()) {
          assertThat(m.stage(stage).count()).as("%s observations", stage).isEqualTo(m.proposals());
        }
        // Cumulative stages: per entry each is at or after the one before, so are the exact sums.
        double sent = m.stage(LeaderStage.SENT).sumSeconds();
        double quorum = m.stage(LeaderStage.QUORUM_DURABLE).sumSeconds();
        double committed = m.stage(LeaderStage.COMMITTED).sumSeconds();
        double handed = m.stage(LeaderStage.HANDED_TO_APPLY).sumSeconds();
        assertThat(sent).isPositive().isLessThanOrEqualTo(committed);
        assertThat(quorum).isLessThanOrEqualTo(committed);
        assertThat(committed).isLessThanOrEqualTo(handed);
        assertThat(m.fsyncs()).isPositive();
        assertThat(m.entriesPersisted()).isGreaterThanOrEqualTo(201); // + the leader's no-op
        assertThat(m.entriesPerFsync()).isGreaterThanOrEqualTo(1.0);
        assertThat(m.fsyncLatency().count()).isEqualTo(m.fsyncs());
        assertThat(m.leaderChanges()).isPositive();
        long elections = 0;
        for (RaftNodeRunner node : own.nodes.values()) {
          RaftMetrics n = node.metrics();
          elections += n.electionsStarted();
          // PreVote is on: every election (no transfer here) follows a won PreVote round.
          assertThat(n.preVotesStarted()).isGreaterThanOrEqualTo(n.electionsStarted());
          if (!node.self().equals(leader.self())) {
            // A majority committed them; this follower may still be writing its copy.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(node.metrics().entriesPersisted()).as("follower %s", node.self())
                    .isGreaterThanOrEqualTo(201));
            assertThat(n.stage(LeaderStage.COMMITTED)).isEqualTo(HistogramSnapshot.EMPTY);
          }
        }
        assertThat(elections).isGreaterThanOrEqualTo(1);
        assertThat(leader.metrics().electionsStarted()).isGreaterThanOrEqualTo(1);
        return null;
      } finally {
        own.close();
      }
    });
  }
}
