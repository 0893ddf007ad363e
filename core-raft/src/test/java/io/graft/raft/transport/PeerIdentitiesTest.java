package io.graft.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerIdentitiesTest {
  private static final MemberId B = MemberId.of("10.0.0.2:7000");
  private static final MemberId C = MemberId.of("10.0.0.3:7000");

  @TempDir Path dir;

  @Test
  void firstContactIsRecordedDurablyAndAChangedIncarnationIsRefused() {
    UUID b1 = UUID.randomUUID();
    PeerIdentities ids = PeerIdentities.open(dir);
    assertThat(ids.admit(B, b1)).isNull();
    assertThat(ids.admit(B, b1)).isNull();
    UUID b2 = UUID.randomUUID();
    assertThat(ids.admit(B, b2)).isEqualTo(b1);
    // Reopened (a restart of this member): the record survived, the refusal too.
    PeerIdentities reopened = PeerIdentities.open(dir);
    assertThat(reopened.known(B)).isEqualTo(b1);
    assertThat(reopened.admit(B, b2)).isEqualTo(b1);
  }

  @Test
  void retainOnlyForgetsRemovedMembersDurably() {
    PeerIdentities ids = PeerIdentities.open(dir);
    ids.admit(B, UUID.randomUUID());
    UUID c1 = UUID.randomUUID();
    ids.admit(C, c1);
    assertThat(ids.retainOnly(Set.of(C))).containsExactly(B);
    assertThat(ids.retainOnly(Set.of(C))).isEmpty();
    PeerIdentities reopened = PeerIdentities.open(dir);
    assertThat(reopened.records()).containsOnlyKeys(C).containsEntry(C, c1);
    UUID fresh = UUID.randomUUID();
    assertThat(reopened.admit(B, fresh)).isNull();
    assertThat(reopened.known(B)).isEqualTo(fresh);
  }

  @Test
  void corruptFileRefusesStartupWithAnExplanation() throws Exception {
    PeerIdentities ids = PeerIdentities.open(dir);
    ids.admit(B, UUID.randomUUID());
    Path file = dir.resolve(PeerIdentities.FILE_NAME);
    byte[] bytes = Files.readAllBytes(file);
    bytes[12] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> PeerIdentities.open(dir)).isInstanceOf(StorageException.class)
        .hasMessageContaining("corrupt").hasMessageContaining("checksum");
    Files.write(file, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> PeerIdentities.open(dir)).isInstanceOf(StorageException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void inMemoryRecordsWithoutAFile() {
    PeerIdentities ids = PeerIdentities.inMemory();
    UUID b1 = UUID.randomUUID();
    assertThat(ids.admit(B, b1)).isNull();
    assertThat(ids.admit(B, UUID.randomUUID())).isEqualTo(b1);
  }
}
