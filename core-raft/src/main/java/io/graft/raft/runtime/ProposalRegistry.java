package io.graft.raft.runtime;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.ProposalDroppedException;
import io.graft.raft.api.RaftException;
import io.graft.raft.message.LogEntry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Maps (index, term) of a locally proposed entry to its proposer's future. Registered by the owner
 * thread, completed by the apply thread, failed by the owner on overwrite/step-down and by close.
 * Whoever removes the entry from the map owns the completion, so each future completes once.
 */
final class ProposalRegistry {
  private record Pending(long term, CompletableFuture<CommitResult> future) {}

  private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

  void register(long index, long term, CompletableFuture<CommitResult> future) {
    Pending previous = pending.put(index, new Pending(term, future));
    if (previous != null) {
      // A leader never proposes twice at one index in one term; an older term's proposal there was
      // overwritten (§5.3) and must have been failed already.
      previous.future.completeExceptionally(
          dropped(index, previous.term, "replaced by term " + term));
    }
  }

  /** Called by the apply thread after the state machine applied the entry at {@code index}. */
  void applied(long index, long term, Object result) {
    Pending p = pending.remove(index);
    if (p == null) {
      return;
    }
    if (p.term == term) {
      p.future.complete(new CommitResult(index, term, result));
    } else {
      p.future.completeExceptionally(
          dropped(index, p.term, "the committed entry at that index is from term " + term));
    }
  }

  /** Fails proposals whose index is being overwritten by an entry of another term (§5.3). */
  void persisting(List<LogEntry> entries) {
    if (pending.isEmpty()) {
      return;
    }
    for (LogEntry e : entries) {
      Pending p = pending.get(e.index());
      if (p != null && p.term != e.term() && pending.remove(e.index(), p)) {
        p.future.completeExceptionally(
            dropped(e.index(), p.term, "overwritten by an entry of term " + e.term()));
      }
    }
  }

  /**
   * This member stopped being leader: entries above the commit index may or may not commit under
   * the next leader (§3.6.2), so their outcome is unknown. Committed ones still complete when
   * applied.
   */
  void steppedDown(long commitIndex) {
    for (Map.Entry<Long, Pending> e : pending.tailMap(commitIndex, false).entrySet()) {
      if (pending.remove(e.getKey(), e.getValue())) {
        e.getValue()
            .future
            .completeExceptionally(
                dropped(
                    e.getKey(), e.getValue().term, "this member stepped down before it committed"));
      }
    }
  }

  void failAll(RaftException cause) {
    for (Long index : pending.keySet()) {
      Pending p = pending.remove(index);
      if (p != null) {
        p.future.completeExceptionally(cause);
      }
    }
  }

  int size() {
    return pending.size();
  }

  private static ProposalDroppedException dropped(long index, long term, String why) {
    return new ProposalDroppedException(
        "proposal at index "
            + index
            + " (term "
            + term
            + ") dropped: "
            + why
            + "; the outcome is unknown, the entry may still be committed");
  }
}
