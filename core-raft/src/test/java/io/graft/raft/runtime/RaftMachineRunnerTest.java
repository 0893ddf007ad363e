package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.ProposalDroppedException;
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
    return ConsensusMachine::raft;
  }

  @AfterEach
  void closeOwn() {
    if (own != null) {
      own.close();
    }
  }

  @Test
  void slowStateMachineMakesTheLeaderRejectProposalsOnceTheApplyBacklogIsFull() throws Exception {
    own = new LocalCluster(3, factory(), 11);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    for (io.graft.raft.api.MemberId id : own.voters) {
      own.start(id, b -> b.applyBacklogBytesMax(2_000).stateMachine(blockingUntil(release)));
    }
    RaftNodeRunner leader = own.awaitLeader();
    try {
      List<CompletableFuture<CommitResult>> accepted = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        accepted.add(leader.propose(new byte[1000]));
      }
      // Committed but not applied (the apply thread is stuck in the first entry): >= 3 KB behind.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                assertThat(accepted).noneMatch(CompletableFuture::isCompletedExceptionally);
                return leader.status().commitIndex() - leader.status().appliedIndex() >= 3;
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
    } finally {
      release.countDown();
    }
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
    own = new LocalCluster(3, factory(), 7).start();
    RaftNodeRunner leader = own.awaitLeader();
    leader.propose(new byte[] {0}).get(10, TimeUnit.SECONDS);
    own.network.isolate(leader.self());
    List<CompletableFuture<CommitResult>> open = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      open.add(leader.propose(new byte[] {(byte) i}));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> !leader.status().isLeader());
    for (CompletableFuture<CommitResult> f : open) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ProposalDroppedException.class)
          .hasMessageContaining("outcome is unknown");
    }
    own.network.heal(leader.self());
    RaftNodeRunner next = own.awaitLeader();
    assertThat(next.propose(new byte[] {42}).get(10, TimeUnit.SECONDS).index()).isPositive();
  }
}
