package io.graft.raft.storage.memory;

import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.LogStoreContractTest;

/** The in-memory log must behave exactly like the durable one (minus durability). */
class InMemoryLogStoreContractTest extends LogStoreContractTest {
  @Override
  protected LogStore create() {
    return new InMemoryLogStore();
  }
}
