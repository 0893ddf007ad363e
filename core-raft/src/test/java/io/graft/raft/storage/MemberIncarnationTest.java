package io.graft.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.protocol.HardState;
import io.graft.raft.api.MemberId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemberIncarnationTest {
  @TempDir Path dir;

  @Test
  void keptWhileTheTermVoteFileLivesAndRenewedWhenItIsLost() throws Exception {
    UUID first = MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j());
    try (FileMetaStore meta = FileMetaStore.open(dir, RaftLogging.slf4j())) {
      meta.save(new HardState(3, MemberId.of("x"), 0));
    }
    assertThat(MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j())).isEqualTo(first);
    assertThat(MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j())).isEqualTo(first);
    // The term/vote file is lost (but the incarnation file survived): a new identity, since the
    // vote is forgotten (Raft §5.2).
    Files.delete(dir.resolve(FileMetaStore.FILE_NAME));
    UUID second = MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j());
    assertThat(second).isNotEqualTo(first);
    assertThat(Files.readString(dir.resolve(MemberIncarnation.FILE_NAME)).trim())
        .isEqualTo(second.toString());
  }

  @Test
  void anExistingTermVoteFileWithoutIncarnationGetsOne() throws Exception {
    try (FileMetaStore meta = FileMetaStore.open(dir, RaftLogging.slf4j())) {
      meta.save(new HardState(1, null, 0));
    }
    UUID created = MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j());
    assertThat(MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j())).isEqualTo(created);
  }

  @Test
  void unreadableIncarnationRefusesStartup() throws Exception {
    MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j());
    FileMetaStore.open(dir, RaftLogging.slf4j()).close();
    Files.writeString(dir.resolve(MemberIncarnation.FILE_NAME), "garbage\n");
    assertThatThrownBy(() -> MemberIncarnation.loadOrCreate(dir, RaftLogging.slf4j()))
        .isInstanceOf(StorageException.class).hasMessageContaining("Raft identity");
  }
}
