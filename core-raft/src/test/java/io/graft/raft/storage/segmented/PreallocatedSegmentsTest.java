package io.graft.raft.storage.segmented;

import static io.graft.raft.storage.TestEntries.entry;
import static io.graft.raft.storage.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preallocated segments (SegmentPreallocator): every new segment is a zero-filled file of the full
 * segment size, so an fsync writes data only; recovery reads the zero tail as the unused end, a
 * truncation zeroes the cut records instead of shrinking the file, and a torn record or garbage is
 * still told apart from that tail. The preallocation runs inline here (a direct executor) so the
 * tests are deterministic; in a node it runs on a background thread.
 */
class PreallocatedSegmentsTest {
  private static final long SEGMENT_BYTES = 2048;
  private static final SegmentedLogOptions SMALL =
      SegmentedLogOptions.DEFAULTS.withSegmentBytesMax(SEGMENT_BYTES).withCache(4, 1024);
  private static final Executor INLINE = Runnable::run;

  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("log");
  }

  private SegmentedLogStore open() {
    return SegmentedLogStore.open(dir(), SMALL, INLINE);
  }

  private List<Path> spares() throws IOException {
    try (Stream<Path> files = Files.list(dir())) {
      return files.filter(p -> p.getFileName().toString().startsWith("segment-spare-")).toList();
    }
  }

  @Test
  void everySegmentHasItsFullSizeFromTheStartAndReadsBackAfterReopen() throws IOException {
    List<LogEntry> written = range(1, 1, 200, 100); // 125-byte records, ~16 per segment
    try (SegmentedLogStore log = open()) {
      log.append(written.subList(0, 100));
      log.sync();
      assertThat(spares()).as("the next segment is ready").hasSize(1);
    }
    assertThat(spares()).as("the spare is removed at close").isEmpty();
    List<Path> segments = SegmentFiles.segments(dir());
    assertThat(segments).hasSizeGreaterThan(5);
    for (Path f : segments) {
      assertThat(Files.size(f)).as("%s", f).isEqualTo(SEGMENT_BYTES);
    }
    try (SegmentedLogStore log = open()) {
      assertThat(log.lastIndex()).isEqualTo(100);
      assertThat(log.entries(1, 101, Long.MAX_VALUE)).isEqualTo(written.subList(0, 100));
      log.append(written.subList(100, 200)); // continues inside the active segment's zero tail
      log.sync();
    }
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.entries(1, 201, Long.MAX_VALUE)).isEqualTo(written);
    }
  }

  @Test
  void truncationZeroesTheCutRecordsAndKeepsTheSegmentsSize() throws IOException {
    try (SegmentedLogStore log = open()) {
      log.append(range(1, 1, 10, 100));
      log.sync();
      log.truncateSuffix(6);
      log.append(List.of(entry(2, 6, 10)));
      log.sync();
    }
    Path segment = SegmentFiles.segments(dir()).get(0);
    assertThat(Files.size(segment)).isEqualTo(SEGMENT_BYTES);
    try (SegmentedLogStore log = open()) {
      assertThat(log.lastIndex()).isEqualTo(6);
      assertThat(log.term(6)).isEqualTo(2);
      assertThat(log.term(5)).isEqualTo(1);
    }
  }

  @Test
  void aTornLastRecordInAPreallocatedTailIsDroppedAndWritingGoesOn() throws IOException {
    try (SegmentedLogStore log = open()) {
      log.append(range(1, 1, 10, 100));
      log.sync();
    }
    Path segment = SegmentFiles.segments(dir()).get(0);
    long lastRecord = SegmentHeader.BYTES + 9 * 125L;
    SegmentFiles.zero(segment, lastRecord + 60, 65); // its second half never reached the disk
    try (SegmentedLogStore log = open()) {
      assertThat(log.lastIndex()).isEqualTo(9);
      log.append(List.of(entry(3, 10, 10)));
      log.sync();
    }
    try (SegmentedLogStore log = open()) {
      assertThat(log.lastIndex()).isEqualTo(10);
      assertThat(log.term(10)).isEqualTo(3);
    }
  }

  @Test
  void garbageInTheZeroTailOfAFinishedSegmentRefusesToStart() throws IOException {
    try (SegmentedLogStore log = open()) {
      log.append(range(1, 1, 100, 100));
      log.sync();
    }
    Path middle = SegmentFiles.segments(dir()).get(2);
    SegmentFiles.flipByte(middle, SEGMENT_BYTES - 5); // inside its unused, zero end
    assertThatThrownBy(this::open)
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(middle.toString())
        .hasMessageContaining("not the last one");
  }

  @Test
  void aCrashKeepsEverythingSyncedAndOnlyAPrefixOfTheRest() throws IOException {
    List<LogEntry> written = range(1, 1, 300, 100);
    Path copy;
    SegmentedLogStore log =
        SegmentedLogStore.open(dir(), SMALL.withSegmentBytesMax(1 << 20), INLINE);
    try {
      log.append(written.subList(0, 200));
      log.sync();
      log.append(written.subList(200, 300)); // buffered, never synced
      copy = SegmentFiles.crashCopy(dir(), tmp.resolve("crashed"));
    } finally {
      log.close();
    }
    try (SegmentedLogStore recovered = SegmentedLogStore.open(copy, SMALL, INLINE)) {
      long last = recovered.lastIndex();
      assertThat(last).isBetween(200L, 300L);
      assertThat(recovered.entries(1, last + 1, Long.MAX_VALUE))
          .isEqualTo(written.subList(0, (int) last));
    }
  }

  @Test
  void leftoverSparesOfAnEarlierProcessAreDeletedAtOpen() throws IOException {
    Files.createDirectories(dir());
    Files.write(dir().resolve("segment-spare-left-over"), new byte[100]);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.lastIndex()).isZero();
      assertThat(spares()).isEmpty();
    }
  }
}
