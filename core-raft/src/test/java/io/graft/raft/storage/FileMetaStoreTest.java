package io.graft.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.protocol.HardState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file meta store beyond the shared contract ({@link FileMetaStoreContractTest}): what a crash
 * or a bad disk can do to the two-slot file. A torn newest slot must fall back to the previous save
 * (that save never returned, so the previous one is the last durable state); two bad slots must
 * refuse to start with a message.
 */
class FileMetaStoreTest {
  @TempDir Path dir;

  @Test
  void tornNewestSlotFallsBackToThePreviousSave() throws IOException {
    try (FileMetaStore meta = FileMetaStore.open(dir, RaftLogging.slf4j())) {
      meta.save(new HardState(5, MemberId.of("a"), 1));
      meta.save(new HardState(6, MemberId.of("b"), 2)); // sequence 2 -> slot 0
    }
    corrupt(0, 20); // inside the term field of slot 0
    try (FileMetaStore meta = FileMetaStore.open(dir, RaftLogging.slf4j())) {
      assertThat(meta.load()).isEqualTo(new HardState(5, MemberId.of("a"), 1));
      meta.save(new HardState(6, null, 3));
    }
    try (FileMetaStore meta = FileMetaStore.open(dir, RaftLogging.slf4j())) {
      assertThat(meta.load()).isEqualTo(new HardState(6, null, 3));
    }
  }

  @Test
  void bothSlotsCorruptRefusesToStart() throws IOException {
    try (FileMetaStore meta = FileMetaStore.open(dir, RaftLogging.slf4j())) {
      meta.save(new HardState(1, null, 0));
      meta.save(new HardState(2, null, 0));
    }
    corrupt(0, 9);
    corrupt(FileMetaStore.SLOT_BYTES, 9);
    assertThatThrownBy(() -> FileMetaStore.open(dir, RaftLogging.slf4j()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(FileMetaStore.FILE_NAME)
        .hasMessageContaining("both slots")
        .hasMessageContaining("Rebuild this member");
  }

  @Test
  void aSecondOpenOfTheSameFileIsRefused() {
    try (FileMetaStore meta = FileMetaStore.open(dir, RaftLogging.slf4j())) {
      assertThatThrownBy(() -> FileMetaStore.open(dir,
          RaftLogging.slf4j())).isInstanceOf(StorageException.class);
      assertThat(meta.load()).isEqualTo(HardState.EMPTY);
    }
  }

  private void corrupt(long offset, int bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(FileMetaStore.FILE_NAME).toFile(),
        "rw")) {
      for (int i = 0; i < bytes; i++) {
        f.seek(offset + i);
        int b = f.read();
        f.seek(offset + i);
        f.write(b ^ 0x5a);
      }
    }
  }
}
