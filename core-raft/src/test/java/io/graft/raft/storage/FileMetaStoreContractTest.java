package io.graft.raft.storage;

import io.graft.raft.api.RaftLogging;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileMetaStoreContractTest extends DurableMetaStoreContractTest {
  @TempDir Path dir;

  @Override
  protected MetaStore create() {
    return FileMetaStore.open(dir, RaftLogging.slf4j());
  }

  @Override
  protected MetaStore reopen(MetaStore store) {
    store.close();
    return FileMetaStore.open(dir, RaftLogging.slf4j());
  }
}
