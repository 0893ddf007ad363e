package io.graft.bridge.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable lease file: empty start, survives reopen, and a corrupted file is detected. */
class LeaseStateTest {

  @Test
  void startsEmptyAndPersistsAcrossReopen(@TempDir Path dir) throws IOException {
    LeaseState state = LeaseState.open(dir);
    assertThat(state.current()).isEqualTo(new LeaseState.Snapshot(0, null, 0));
    state.write(3, "10.0.0.1:7000", 42);
    assertThat(state.current()).isEqualTo(new LeaseState.Snapshot(3, "10.0.0.1:7000", 42));
    assertThat(LeaseState.open(dir).current()).isEqualTo(new LeaseState.Snapshot(3, "10.0.0.1:7000", 42));
    state.write(4, "10.0.0.2:7000", 50);
    assertThat(LeaseState.open(dir).current().leaseId()).isEqualTo(4);
    assertThat(Files.exists(dir.resolve("lease-state.tmp"))).isFalse();
  }

  @Test
  void detectsCorruption(@TempDir Path dir) throws IOException {
    LeaseState.open(dir).write(1, "a:1", 7);
    Path file = dir.resolve("lease-state");
    byte[] bytes = Files.readAllBytes(file);
    bytes[6] ^= 0x5A;
    Files.write(file, bytes);
    assertThatThrownBy(() -> LeaseState.open(dir)).hasMessageContaining("corrupt");
  }
}
