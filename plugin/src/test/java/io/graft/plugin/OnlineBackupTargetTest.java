package io.graft.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * raft.backup's directory is checked before anything is written, and what a failed backup wrote
 * is removed: relative paths, an existing non-empty directory, a file, a place the server cannot
 * write are refused with the reason; nothing is left behind.
 */
class OnlineBackupTargetTest {
  @TempDir Path tmp;

  @Test
  void aNewOrEmptyDirectoryIsAccepted() throws Exception {
    Path fresh = tmp.resolve("a").resolve("b");
    assertThat(OnlineBackup.prepare(fresh)).as("created").isTrue();
    assertThat(fresh).isEmptyDirectory();
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThat(OnlineBackup.prepare(empty)).as("existed").isFalse();
    assertThat(empty).isEmptyDirectory();
  }

  @Test
  void refusalsWriteNothing() throws Exception {
    assertThatThrownBy(() -> OnlineBackup.prepare(Path.of("relative/dir")))
        .hasMessageContaining("absolute directory path");
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "precious");
    assertThatThrownBy(() -> OnlineBackup.prepare(full))
        .hasMessageContaining("exists and is not empty")
        .hasMessageContaining("never overwrites");
    assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("precious");
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> OnlineBackup.prepare(file))
        .hasMessageContaining("exists and is not a directory");
    assertThatThrownBy(() -> OnlineBackup.prepare(file.resolve("under-a-file")))
        .hasMessageContaining("cannot write into");
    // /proc refuses new entries to every user, root included.
    assertThatThrownBy(() -> OnlineBackup.prepare(Path.of("/proc/graft-backup-test")))
        .hasMessageContaining("cannot write into /proc/graft-backup-test");
    assertThat(Path.of("/proc/graft-backup-test")).doesNotExist();
  }

  @Test
  void aFailedBackupLeavesNothingBehind() throws Exception {
    Path created = tmp.resolve("created");
    OnlineBackup.prepare(created);
    Files.createDirectories(created.resolve("databases/neo4j"));
    Files.writeString(created.resolve("databases/neo4j/neostore"), "half");
    OnlineBackup.removeWritten(created, true);
    assertThat(created).doesNotExist();
    Path existed = Files.createDirectories(tmp.resolve("existed"));
    Files.writeString(existed.resolve("partial"), "half");
    OnlineBackup.removeWritten(existed, false);
    assertThat(existed).isEmptyDirectory();
  }
}
