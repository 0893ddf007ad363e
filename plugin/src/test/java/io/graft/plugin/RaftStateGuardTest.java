package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.runtime.RaftNodeBuilder;
import io.graft.raft.storage.FileMetaStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftStateGuardTest {
  @TempDir Path data;
  private Path raft;

  @org.junit.jupiter.api.BeforeEach
  void raftDirectory() {
    raft = data.resolve("raft").resolve("neo4j");
  }

  @Test
  void aStoreWithAppliedEntriesAndNoRaftStateIsRefusedWithTheWayOut() {
    assertThatThrownBy(() -> RaftStateGuard.check(raft, 42, "10.0.0.3:7000"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refusing to start database 'neo4j'")
        .hasMessageContaining("Raft state in " + raft + " is missing")
        .hasMessageContaining("up to index 42")
        .hasMessageContaining("CALL raft.removeMember('10.0.0.3:7000')")
        .hasMessageContaining("CALL raft.addMember('10.0.0.3:7000')");
  }

  @Test
  void aNewStoreOrAnExistingRaftStateStarts() throws Exception {
    assertThatCode(() -> RaftStateGuard.check(raft, 0, "a")).doesNotThrowAnyException();
    assertThatCode(() -> RaftStateGuard.check(raft, -1, "a"))
        .doesNotThrowAnyException();
    RaftNodeBuilder.identity(raft, RaftLogging.slf4j());
    FileMetaStore.open(raft.resolve("meta"), RaftLogging.slf4j()).close();
    assertThatCode(() -> RaftStateGuard.check(raft, 42, "a")).doesNotThrowAnyException();
  }
}
