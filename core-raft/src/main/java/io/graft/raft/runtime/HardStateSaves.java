package io.graft.raft.runtime;

import io.graft.raft.protocol.HardState;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Which hard states a write saves, and when: term and vote must be durable before any message that
 * depends on them (Figure 2: "updated on stable storage before responding to RPCs"); the commit
 * index is only a hint (recoverable from a quorum), so a change of it alone is saved at most once
 * a second, after the write's job, never on a write's critical path. Owner thread (and start/close
 * before/after it runs).
 */
final class HardStateSaves {
  /**
   * A commit-index-only hard state change is saved at most this often (the hint is recoverable).
   */
  private static final long COMMIT_HINT_SAVE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier clock;
  /** The last hard state handed to the sync side to save (or loaded). */
  private HardState handed;
  private long commitHintHandedNanos;

  HardStateSaves(LongSupplier clock) {
    this.clock = clock;
  }

  /** {@code state} is what the meta store holds now (loaded, or saved outside a job). */
  void durable(HardState state) {
    handed = state;
    commitHintHandedNanos = clock.getAsLong();
  }

  /** Sets {@code job}'s save to {@code next} if term or vote changed or a commit hint is due. */
  void choose(WriteJob job, HardState next) {
    if (next == null) {
      return;
    }
    boolean termOrVote =
        next.term() != handed.term() || !Objects.equals(next.votedFor(), handed.votedFor());
    long now = clock.getAsLong();
    boolean commitDue =
        next.commitIndex() != handed.commitIndex()
            && now - commitHintHandedNanos >= COMMIT_HINT_SAVE_NANOS;
    if (termOrVote || commitDue) {
      job.save = next;
      job.saveAfterDone = !termOrVote;
      handed = next;
      commitHintHandedNanos = now;
    }
  }

  /**
   * At a clean stop: true if {@code last} differs from the newest state handed to be saved (then
   * the caller saves it, and it counts as handed).
   */
  boolean differsAtClose(HardState last) {
    if (last.equals(handed)) {
      return false;
    }
    handed = last;
    return true;
  }
}
