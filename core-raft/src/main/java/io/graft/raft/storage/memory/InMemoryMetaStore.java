package io.graft.raft.storage.memory;

import io.graft.raft.protocol.HardState;
import io.graft.raft.storage.MetaStore;

/** A {@link MetaStore} held in memory, for tests and the simulator. */
public final class InMemoryMetaStore implements MetaStore {
  private HardState state = HardState.EMPTY;

  @Override
  public HardState load() {
    return state;
  }

  @Override
  public void save(HardState state) {
    this.state = state;
  }

  @Override
  public void close() {}
}
