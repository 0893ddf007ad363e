package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.ProposalDroppedException;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ProposalRegistryTest {
  private final ProposalRegistry registry = new ProposalRegistry();

  @Test
  void appliedEntryOfTheSameTermCompletesWithIndexTermAndResult() {
    CompletableFuture<CommitResult> f = new CompletableFuture<>();
    registry.register(7, 3, f);
    registry.applied(7, 3, "r");
    assertThat(f.join()).isEqualTo(new CommitResult(7, 3, "r"));
    assertThat(registry.size()).isZero();
  }

  @Test
  void appliedEntryOfAnotherTermFailsAsDropped() {
    CompletableFuture<CommitResult> f = new CompletableFuture<>();
    registry.register(7, 3, f);
    registry.applied(7, 4, null);
    assertThatThrownBy(f::join).hasCauseInstanceOf(ProposalDroppedException.class);
  }

  @Test
  void overwritingEntryOfAnotherTermFailsTheProposalAtOnce() {
    CompletableFuture<CommitResult> kept = new CompletableFuture<>();
    CompletableFuture<CommitResult> lost = new CompletableFuture<>();
    registry.register(5, 2, kept);
    registry.register(6, 2, lost);
    registry.persisting(
        List.of(
            new LogEntry(2, 5, EntryType.APPLICATION, null),
            new LogEntry(3, 6, EntryType.NOOP, null)));
    assertThat(kept).isNotDone();
    assertThatThrownBy(lost::join)
        .hasCauseInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("overwritten by an entry of term 3");
  }

  @Test
  void stepDownFailsOnlyUncommittedProposalsWithOutcomeUnknown() {
    CompletableFuture<CommitResult> committed = new CompletableFuture<>();
    CompletableFuture<CommitResult> open = new CompletableFuture<>();
    registry.register(10, 1, committed);
    registry.register(11, 1, open);
    registry.steppedDown(10);
    assertThat(committed).isNotDone();
    assertThatThrownBy(open::join)
        .hasCauseInstanceOf(ProposalDroppedException.class)
        .hasMessageContaining("outcome is unknown");
    registry.applied(10, 1, null);
    assertThat(committed.join().index()).isEqualTo(10);
  }

  @Test
  void failAllCompletesEverything() {
    CompletableFuture<CommitResult> f = new CompletableFuture<>();
    registry.register(1, 1, f);
    registry.failAll(new RaftShutdownException("closed"));
    assertThatThrownBy(f::join).hasCauseInstanceOf(RaftShutdownException.class);
    assertThat(registry.size()).isZero();
  }
}
