package io.graft.raft.storage.memory;

import io.graft.raft.protocol.HardState;
import io.graft.raft.storage.MetaStore;

/**
 * A {@link MetaStore} held in memory, for tests and the simulator. Enforces the same save
 * invariants as the file store (term never decreases; one vote per term, Raft §5.2) so protocol
 * bugs show up in simulation, not only on disk.
 */
public final class InMemoryMetaStore implements MetaStore {
  private HardState state = HardState.EMPTY;

  @Override
  public HardState load() {
    return state;
  }

  @Override
  public void save(HardState state) {
    if (state.term() < this.state.term()) {
      throw new IllegalArgumentException("term must not decrease: " + this.state + " -> " + state);
    }
    if (state.term() == this.state.term() && this.state.votedFor() != null
        && !this.state.votedFor().equals(state.votedFor())) {
      throw new IllegalArgumentException(
          "vote must not change within a term (§5.2): " + this.state + " -> " + state);
    }
    this.state = state;
  }

  @Override
  public void close() {}
}
