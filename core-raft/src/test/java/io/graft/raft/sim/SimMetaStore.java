package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.protocol.HardState;
import io.graft.raft.storage.MetaStore;
import java.util.function.Consumer;

/**
 * The simulator's {@link MetaStore}: {@link #save} is atomic and durable when it returns, exactly
 * as the contract promises (so a crash never loses a saved hard state and never tears it).
 *
 * <p>It also checks the two rules Election Safety rests on (§5.2, Figure 2): the durable term never
 * decreases, and a vote cast in a term is never changed within that term.
 */
public final class SimMetaStore implements MetaStore {
  private HardState state = HardState.EMPTY;
  private long saveCount;
  private Consumer<HardState> onSave = s -> {};

  @Override
  public HardState load() {
    return state;
  }

  @Override
  public void save(HardState next) {
    if (next.term() < state.term()) {
      throw new SafetyViolation("durable term decreased: " + state + " -> " + next);
    }
    MemberId vote = state.votedFor();
    if (next.term() == state.term() && vote != null && !vote.equals(next.votedFor())) {
      throw new SafetyViolation(
          "vote changed within term " + next.term() + ": " + state + " -> " + next);
    }
    state = next;
    saveCount++;
    onSave.accept(next);
  }

  /** Tells {@code listener} (the safety checker) about every durable save. */
  void onSave(Consumer<HardState> listener) {
    this.onSave = listener;
  }

  /**
   * The broken store of {@link BrokenVariant#FORGET_VOTE_ON_RESTART}: the term survives a crash,
   * the vote cast in it does not.
   */
  void forgetVote() {
    state = new HardState(state.term(), null, state.commitIndex());
  }

  public long saveCount() {
    return saveCount;
  }

  @Override
  public void close() {}
}
