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
