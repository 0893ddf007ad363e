package io.graft.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    UUID first = MemberIncarnation.loadOrCreate(dir);
    try (FileMetaStore meta = FileMetaStore.open(dir)) {
      meta.save(new HardState(3, MemberId.of("x"), 0));
    }
    assertThat(MemberIncarnation.loadOrCreate(dir)).isEqualTo(first);
    assertThat(MemberIncarnation.loadOrCreate(dir)).isEqualTo(first);
    // The term/vote file is lost (but the incarnation file survived): a new identity, since the
    // vote is forgotten (Raft §5.2).
    Files.delete(dir.resolve(FileMetaStore.FILE_NAME));
    UUID second = MemberIncarnation.loadOrCreate(dir);
    assertThat(second).isNotEqualTo(first);
    assertThat(Files.readString(dir.resolve(MemberIncarnation.FILE_NAME)).trim())
        .isEqualTo(second.toString());
  }

  @Test
  void anExistingTermVoteFileWithoutIncarnationGetsOne() throws Exception {
    try (FileMetaStore meta = FileMetaStore.open(dir)) {
      meta.save(new HardState(1, null, 0));
    }
    UUID created = MemberIncarnation.loadOrCreate(dir);
    assertThat(MemberIncarnation.loadOrCreate(dir)).isEqualTo(created);
  }

  @Test
  void unreadableIncarnationRefusesStartup() throws Exception {
    MemberIncarnation.loadOrCreate(dir);
    FileMetaStore.open(dir).close();
    Files.writeString(dir.resolve(MemberIncarnation.FILE_NAME), "garbage\n");
    assertThatThrownBy(() -> MemberIncarnation.loadOrCreate(dir))
        .isInstanceOf(StorageException.class).hasMessageContaining("Raft identity");
  }
}
