package io.graft.raft.storage.segmented;

import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.DurableLogStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log contract on the segmented store, with small segments and a tiny cache so that rotation,
 * cross-segment truncation/compaction and reads from the file are all exercised by the shared
 * tests.
 */
class SegmentedLogStoreContractTest extends DurableLogStoreContractTest {
  @TempDir Path dir;

  static final SegmentedLogOptions SMALL =
      SegmentedLogOptions.DEFAULTS.withSegmentBytesMax(4096).withCache(8, 4096);

  @Override
  protected LogStore create() {
    return SegmentedLogStore.open(dir.resolve("log"), SMALL);
  }

  @Override
  protected LogStore reopen(LogStore store) {
    store.close();
    return SegmentedLogStore.open(dir.resolve("log"), SMALL);
  }
}
