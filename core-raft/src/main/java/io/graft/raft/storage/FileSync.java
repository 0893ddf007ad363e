package io.graft.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Durability helpers shared by the file-based stores.
 *
 * <p>Creating, renaming or deleting a file changes its directory, and on Linux that change is only
 * durable once the directory itself is fsynced; without it a crash can resurrect a deleted segment
 * or lose a freshly created one even though the file's own data was forced.
 */
public final class FileSync {
  private FileSync() {}

  /**
   * Creates {@code directory} (and missing parents) if needed, fsyncing the parent of each created
   * directory so that the new directory entry itself survives a crash.
   */
  public static void createDirectories(Path directory) {
    Path absolute = directory.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return;
    }
    Path parent = absolute.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(absolute);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(absolute)) {
        throw new StorageException(absolute + " exists and is not a directory", e);
      }
      return;
    } catch (IOException e) {
      throw new StorageException("cannot create directory " + absolute, e);
    }
    if (parent != null) {
      forceDirectory(parent);
    }
  }

  /** fsyncs a directory so that file creations, renames and deletions in it survive a crash. */
  public static void forceDirectory(Path directory) {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      throw new StorageException("cannot fsync directory " + directory, e);
    }
  }
}
