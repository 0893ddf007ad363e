package io.graft.raft.storage.segmented;

import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plain {@code main} (not a test, no JMH): appends 1 KiB entries in batches of 1, 16, 64 (and
 * 1024, to show the CPU cost) with one {@code sync()} per batch, as the runtime does per Ready, and
 * prints entries/s and fsync/s. The numbers depend on the disk's fsync latency, so it also prints a
 * raw fsync baseline measured in the same directory. Usage: {@code SegmentedLogBenchmark [dir]
 * [secondsPerCase]}.
 */
public final class SegmentedLogBenchmark {
  private SegmentedLogBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("graft-log-bench");
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3.0;
    byte[] payload = new byte[1024];
    new java.util.Random(1).nextBytes(payload);
    System.out.printf("dir=%s, %.1fs per case, 1 KiB payloads%n", root, seconds);
    rawFsyncBaseline(root.resolve("raw"), seconds);
    for (int batch : new int[] {1, 16, 64, 1024}) {
      run(root.resolve("batch-" + batch), batch, payload, seconds / 3); // warm-up
      run(root.resolve("batch-" + batch), batch, payload, seconds);
    }
  }

  private static void run(Path dir, int batch, byte[] payload, double seconds) throws IOException {
    deleteRecursively(dir);
    long entries = 0;
    long syncs = 0;
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir)) {
      List<LogEntry> buffer = new ArrayList<>(batch);
      while (System.nanoTime() < deadline) {
        buffer.clear();
        long next = log.lastIndex() + 1;
        for (int i = 0; i < batch; i++) {
          buffer.add(new LogEntry(1, next + i, EntryType.APPLICATION, payload));
        }
        log.append(buffer);
        log.sync();
        entries += batch;
        syncs++;
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("batch %3d: %,10.0f entries/s  %,8.0f fsync/s  (%,d entries, %.2fs)%n",
        batch, entries / elapsed, syncs / elapsed, entries, elapsed);
    deleteRecursively(dir);
  }

  private static void rawFsyncBaseline(Path dir, double seconds) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("raw");
    long count = 0;
    long start = System.nanoTime();
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1049);
      long deadline = start + (long) (seconds * 1e9);
      while (System.nanoTime() < deadline) {
        buf.clear();
        ch.write(buf, count * 1049);
        ch.force(false);
        count++;
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("raw 1049-byte write+fdatasync: %,8.0f fsync/s%n", count / elapsed);
    deleteRecursively(dir);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
