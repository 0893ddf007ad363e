package io.graft.bridge.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.neo4j.storageengine.api.StorageCommand;

/**
 * The leader fast path's guard: the apply thread may use a committer's kernel commands only while
 * the committer waits, and a committer that gives up never returns while they are in use.
 */
class ProposalWaitersTest {
  private final ProposalWaiters waiters = new ProposalWaiters();

  @Test
  void aClaimHandsOutTheKernelsCommandsOnlyWhileTheCommitterWaits() {
    List<StorageCommand> commands = List.of();
    ProposalWaiters.Proposal p = waiters.register(commands);
    ProposalWaiters.Proposal claimed = waiters.claim(p.id());
    assertThat(claimed).isSameAs(p);
    assertThat(claimed.commands()).isSameAs(commands);
    claimed.release();
    p.close();
    assertThat(waiters.claim(p.id())).as("after the committer gave up").isNull();
    ProposalWaiters.Proposal none = waiters.register(null);
    assertThat(waiters.claim(none.id())).as("no commands to hand out").isNull();
    none.close();
    assertThat(waiters.size()).isZero();
  }

  @Test
  void aCommitterGivingUpWaitsForAnApplyUsingItsCommands() {
    ProposalWaiters.Proposal p = waiters.register(List.of());
    ProposalWaiters.Proposal claimed = waiters.claim(p.id());
    Thread committer = new Thread(p::close, "committer");
    committer.start();
    await().atMost(Duration.ofSeconds(10)).until(
        () -> committer.getState() == Thread.State.WAITING);
    assertThat(committer.isAlive()).as("close() blocks while the commands are in use").isTrue();
    claimed.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> !committer.isAlive());
    assertThat(waiters.claim(p.id())).isNull();
  }
}
