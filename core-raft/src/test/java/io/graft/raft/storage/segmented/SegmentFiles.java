package io.graft.raft.storage.segmented;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Test helpers that damage segment files the way crashes and bad disks do. */
final class SegmentFiles {
  private SegmentFiles() {}

  static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> SegmentFileNames.firstIndexOf(p).isPresent())
          .sorted(Comparator.comparingLong(p -> SegmentFileNames.firstIndexOf(p).getAsLong()))
          .collect(Collectors.toList());
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }

  static void zero(Path file, long offset, int bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      f.write(new byte[bytes]);
    }
  }

  static void cut(Path file, long newLength) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(newLength);
    }
  }

  /**
   * Copies the directory's files as they are now (what a killed process leaves in the page cache),
   * without the lock file, to simulate a crash of the process that still holds the log open.
   */
  static Path crashCopy(Path dir, Path target) throws IOException {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.collect(Collectors.toList())) {
        if (!p.getFileName().toString().equals("lock")) {
          Files.copy(p, target.resolve(p.getFileName()));
        }
      }
    }
    return target;
  }
}
