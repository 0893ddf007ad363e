package io.graft.raft.storage.segmented;

import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.LogStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The log contract on the segmented store with preallocated segments (prepared inline). */
class PreallocatedSegmentedLogStoreContractTest extends LogStoreContractTest {
  @TempDir Path dir;

  @Override
  protected LogStore create() {
    return SegmentedLogStore.open(
        dir.resolve("log"), SegmentedLogStoreContractTest.SMALL, Runnable::run);
  }

  @Override
  protected LogStore reopen(LogStore store) {
    store.close();
    return SegmentedLogStore.open(
        dir.resolve("log"), SegmentedLogStoreContractTest.SMALL, Runnable::run);
  }

  @Override
  protected boolean durable() {
    return true;
  }
}
