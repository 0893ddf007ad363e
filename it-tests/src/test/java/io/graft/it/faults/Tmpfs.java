package io.graft.it.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs mounted over one folder of a member (its Raft log, its transaction logs),
 * so a test can run that member out of disk space and give the space back: {@link #fill} leaves
 * only a few bytes free with a filler file, {@link #free} deletes it. Needs root (mount(8));
 * {@link #close} unmounts (lazily if something still holds a file open). A tmpfs returns ENOSPC on write, as a full disk does; its fsync is a no-op, so it
 * shows what a full disk does to writes, not to fsyncs.
 */
final class Tmpfs implements AutoCloseable {
  private static final String FILLER = "graft-test-filler";
  private final Path dir;
  private final long sizeBytes;
  private boolean mounted;

  private Tmpfs(Path dir, long sizeBytes) {
    this.dir = dir;
    this.sizeBytes = sizeBytes;
  }

  /**
   * Mounts an empty tmpfs of {@code sizeMib} over {@code dir} (created if missing, must be empty).
   *
   * @throws IllegalStateException if mounting fails (not root, no mount(8)): the test fails,
   *     it does not skip
   */
  static Tmpfs mount(Path dir, int sizeMib) {
    try {
      Files.createDirectories(dir);
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalStateException(dir + " is not empty: a tmpfs over it would hide files");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
    Tmpfs fs = new Tmpfs(dir, (long) sizeMib << 20);
    run("mount", "-t", "tmpfs", "-o", "size=" + sizeMib + "m", "tmpfs", dir.toString());
    fs.mounted = true;
    return fs;
  }

  /** Free bytes as the file system reports them. */
  long usableBytes() {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat " + dir, e);
    }
  }

  /**
   * Takes all but {@code leaveBytes} of the free space with a filler file (allocated, not
   * sparse). Returns the filler's size.
   */
  long fill(long leaveBytes) {
    long take = Math.max(0, usableBytes() - leaveBytes);
    // fallocate(1) reserves real pages on tmpfs; a sparse file would take nothing.
    Path filler = dir.resolve(FILLER);
    run("fallocate", "-l", Long.toString(take), filler.toString());
    return take;
  }

  /** Deletes the filler: the space is back. */
  void free() {
    try {
      Files.deleteIfExists(dir.resolve(FILLER));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the filler in " + dir, e);
    }
  }

  @Override
  public void close() {
    if (!mounted) {
      return;
    }
    try {
      run("umount", dir.toString());
    } catch (IllegalStateException busy) {
      run("umount", "-l", dir.toString());
    }
    mounted = false;
  }

  @Override
  public String toString() {
    return "tmpfs " + dir + " (" + (sizeBytes >> 20) + " MiB, " + usableBytes() + " bytes free)";
  }

  private static void run(String... command) {
    List<String> cmd = new ArrayList<>(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed (this test mounts a"
            + " size-limited tmpfs and needs root): " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    }
  }
}
