package io.graft.raft.runtime;

import io.graft.raft.api.CommitResult;
import io.graft.raft.message.RaftMessage;
import java.util.concurrent.CompletableFuture;

/** What other threads hand to the owner thread through the {@link Inbox}. */
sealed interface Event permits Event.Inbound, Event.Proposal, Event.Task, Event.Wakeup {

  /**
   * A message from a peer, delivered by a transport thread. {@code ticksBefore}: how many ticks had
   * been posted when it arrived, so the owner steps ticks and messages in arrival order; {@code
   * arrivedNanos}: when it arrived ({@code System.nanoTime}), for the write-stage metrics.
   */
  record Inbound(RaftMessage message, long ticksBefore, long arrivedNanos) implements Event {
    /** A message that arrived before any tick not yet taken (tests). */
    Inbound(RaftMessage message) {
      this(message, 0, 0);
    }
  }

  /**
   * A payload to replicate and the future its proposer waits on; {@code proposedNanos}: when
   * {@code propose} was called ({@code System.nanoTime}), for the write-stage metrics.
   */
  record Proposal(byte[] payload, CompletableFuture<CommitResult> future, long proposedNanos)
      implements Event {
    Proposal(byte[] payload, CompletableFuture<CommitResult> future) {
      this(payload, future, 0);
    }
  }

  /**
   * Work to run on the owner thread between batches (read-only diagnostics such as log digests).
   */
  record Task(Runnable work) implements Event {}

  /** Makes the owner look at its counters (pending ticks, shutdown, fatal error). */
  enum Wakeup implements Event {
    INSTANCE
  }
}
