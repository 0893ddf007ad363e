package io.graft.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Durability helpers shared by the file-based stores.
 *
 * <p>Creating, renaming or deleting a file changes its directory, and on Linux that change is only
 * durable once the directory itself is fsynced; without it a crash can resurrect a deleted segment or
 * lose a freshly created one even though the file's own data was forced.
 */
public final class FileSync {
  private FileSync() {}

  /** fsyncs a directory so that file creations, renames and deletions in it survive a crash. */
  public static void forceDirectory(Path directory) {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      throw new StorageException("cannot fsync directory " + directory, e);
    }
  }
}
