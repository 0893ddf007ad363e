package io.graft.raft.storage.memory;

import io.graft.raft.storage.MetaStore;
import io.graft.raft.storage.MetaStoreContractTest;

class InMemoryMetaStoreContractTest extends MetaStoreContractTest {
  @Override
  protected MetaStore create() {
    return new InMemoryMetaStore();
  }
}
