package io.graft.raft.storage.segmented;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 40 MB entry (the size of a 200,000-node transaction) through the file log: larger than the
 * write buffer (streamed through it), than a segment (a segment of its own) and than the cache's
 * byte bound (kept as the newest entry only). It reads back bit for bit before and after a
 * reopen, whose recovery scans and verifies the big record.
 */
class LargeEntryLogTest {
  private static final int BIG = 40 * 1024 * 1024;
  private static final SegmentedLogOptions OPTIONS =
      SegmentedLogOptions.DEFAULTS.withSegmentBytesMax(4L << 20).withCache(64, 1L << 20);

  @TempDir Path tmp;

  private static LogEntry entry(long index, int bytes, long seed) {
    byte[] payload = new byte[bytes];
    new SplittableRandom(seed).nextBytes(payload);
    return new LogEntry(2, index, EntryType.APPLICATION, payload);
  }

  @Test
  void aFortyMegabyteEntryGetsItsOwnSegmentAndSurvivesAReopen() throws Exception {
    Path dir = tmp.resolve("log");
    LogEntry small1 = entry(1, 100, 1);
    LogEntry big = entry(2, BIG, 2);
    LogEntry small3 = entry(3, 100, 3);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir, OPTIONS)) {
      log.append(List.of(small1));
      log.append(List.of(big));
      log.sync();
      // Over the 1 MiB cache bound, yet the newest entry is served from memory: the same object.
      assertThat(log.entries(2, 3, Long.MAX_VALUE).get(0)).isSameAs(big);
      log.append(List.of(small3));
      log.sync();
      // The next append evicted it: read from the file, equal but a fresh copy.
      LogEntry reread = log.entries(2, 3, Long.MAX_VALUE).get(0);
      assertThat(reread).isNotSameAs(big).isEqualTo(big);
      // Rotation: [1], [2 alone, over segmentBytesMax], [3].
      assertThat(log.segmentCount()).isEqualTo(3);
      // A byte budget smaller than the entry still yields it (at least one entry, §5.3 progress).
      assertThat(log.entries(2, 4, 1024)).containsExactly(big);
    }
    try (Stream<Path> files = Files.list(dir)) {
      long biggest = files.mapToLong(LargeEntryLogTest::size).max().orElseThrow();
      assertThat(biggest).isGreaterThan(BIG).isLessThan(BIG + 4096);
    }
    try (SegmentedLogStore reopened = SegmentedLogStore.open(dir, OPTIONS)) {
      assertThat(reopened.lastIndex()).isEqualTo(3);
      assertThat(readAll(reopened, 1, 4)).containsExactly(small1, big, small3);
    }
  }

  @Test
  void aBigEntryBufferedBehindSmallOnesIsContiguousOnDisk() throws Exception {
    Path dir = tmp.resolve("log");
    LogEntry a = entry(1, 3000, 4);
    LogEntry big = entry(2, 3 * 1024 * 1024 + 17, 5); // several write buffers, odd length
    LogEntry c = entry(3, 3000, 6);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir,
        SegmentedLogOptions.DEFAULTS.withSegmentBytesMax(64L << 20).withCache(1, 0))) {
      log.append(List.of(a, big, c)); // one segment: all three records, the big one in pieces
      assertThat(readAll(log, 1, 4)).containsExactly(a, big, c);
      assertThat(log.segmentCount()).isEqualTo(1);
    }
    try (SegmentedLogStore reopened = SegmentedLogStore.open(dir, OPTIONS)) {
      assertThat(readAll(reopened, 1, 4)).containsExactly(a, big, c);
    }
  }

  @Test
  void theCachePinsOnlyTheNewestOversizedEntry() {
    EntryCache cache = new EntryCache(16, 1000);
    LogEntry big1 = entry(1, 5000, 7);
    LogEntry big2 = entry(2, 5000, 8);
    cache.add(big1);
    assertThat(cache.get(1)).isSameAs(big1);
    cache.add(big2);
    assertThat(cache.get(1)).isNull();
    assertThat(cache.get(2)).isSameAs(big2);
    LogEntry small = entry(3, 10, 9);
    cache.add(small);
    assertThat(cache.get(2)).isNull();
    assertThat(cache.get(3)).isSameAs(small);
  }

  /** As the leader and the apply path read: batches may stop early (read span), so loop. */
  private static List<LogEntry> readAll(SegmentedLogStore log, long from, long to) {
    List<LogEntry> out = new java.util.ArrayList<>();
    while (from + out.size() < to) {
      List<LogEntry> batch = log.entries(from + out.size(), to, Long.MAX_VALUE);
      assertThat(batch).isNotEmpty();
      out.addAll(batch);
    }
    return out;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
