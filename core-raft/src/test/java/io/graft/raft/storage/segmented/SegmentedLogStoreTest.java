package io.graft.raft.storage.segmented;

import static io.graft.raft.storage.TestEntries.entry;
import static io.graft.raft.storage.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour specific to the segmented file log: rotation and its file layout, recovery from what a
 * crash leaves (torn tail, torn new segment, interrupted compaction, un-synced buffered data) and
 * refusal, naming file and byte offset, of damage that a crash cannot explain (corruption before
 * the tail, a missing segment). Damage is done by editing the files of a closed log, or by copying
 * the files of an open one (a killed process).
 */
class SegmentedLogStoreTest {
  private static final SegmentedLogOptions SMALL =
      SegmentedLogOptions.DEFAULTS.withSegmentBytesMax(2048).withCache(4, 1024);

  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("log");
  }

  private List<LogEntry> writeAndClose(int count, int payloadBytes) {
    List<LogEntry> written = range(1, 1, count, payloadBytes);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      log.append(written);
      log.sync();
    }
    return written;
  }

  @Test
  void rotatesAcrossManySegmentsAndReadsEverythingBack() throws IOException {
    List<LogEntry> written = writeAndClose(1000, 100); // 125-byte records, ~16 per segment
    List<Path> files = SegmentFiles.segments(dir());
    assertThat(files).hasSizeGreaterThan(50);
    for (Path f : files) {
      assertThat(Files.size(f)).isLessThanOrEqualTo(2048);
    }
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.segmentCount()).isEqualTo(files.size());
      assertThat(log.entries(1, 1001, Long.MAX_VALUE)).isEqualTo(written);
      assertThat(log.entries(500, 1001, 1000)).isEqualTo(written.subList(499, 507));
      log.compactPrefix(600, 1);
      assertThat(SegmentFiles.segments(dir()).size()).isLessThan(files.size() * 2 / 5 + 2);
      assertThat(log.entries(601, 1001, Long.MAX_VALUE)).isEqualTo(written.subList(600, 1000));
      log.truncateSuffix(300 + 400); // inside a middle segment: later segments deleted
      assertThat(log.lastIndex()).isEqualTo(699);
      log.append(range(2, 700, 720, 100));
      log.sync();
    }
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.firstIndex()).isEqualTo(601);
      assertThat(log.entries(601, 700, Long.MAX_VALUE)).isEqualTo(written.subList(600, 699));
      assertThat(log.entries(700, 721, Long.MAX_VALUE)).isEqualTo(range(2, 700, 720, 100));
    }
  }

  @Test
  void aRecordLargerThanASegmentGetsItsOwnSegment() throws IOException {
    List<LogEntry> written = List.of(entry(1, 1, 10), entry(1, 2, 10_000), entry(1, 3, 10));
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      log.append(written);
      log.sync();
    }
    assertThat(SegmentFiles.segments(dir())).hasSize(3);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.entries(1, 4, Long.MAX_VALUE)).isEqualTo(written);
    }
  }

  @Test
  void tailCutMidRecordIsTruncatedOnOpen() throws IOException {
    List<LogEntry> written = writeAndClose(40, 100);
    Path last = lastSegment();
    SegmentFiles.cut(last, Files.size(last) - 60);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(39);
      assertThat(log.entries(1, 40, Long.MAX_VALUE)).isEqualTo(written.subList(0, 39));
      log.append(List.of(entry(2, 40, 100)));
      log.sync();
    }
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.term(40)).isEqualTo(2);
    }
  }

  @Test
  void flippedByteInTheLastRecordIsTruncatedOnOpen() throws IOException {
    List<LogEntry> written = writeAndClose(40, 100);
    Path last = lastSegment();
    SegmentFiles.flipByte(last, Files.size(last) - 10);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(39);
      assertThat(log.entries(1, 40, Long.MAX_VALUE)).isEqualTo(written.subList(0, 39));
    }
  }

  @Test
  void corruptionBeforeTheTailOfTheLastSegmentRefusesToStart() throws IOException {
    writeAndClose(40, 100);
    Path last = lastSegment();
    long offset = SegmentHeader.BYTES + 30; // inside the first record of the last segment
    assertThat(Files.size(last)).isGreaterThan(SegmentHeader.BYTES + 3 * 125L);
    SegmentFiles.flipByte(last, offset);
    assertThatThrownBy(() -> SegmentedLogStore.open(dir(), SMALL))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(last.toString())
        .hasMessageContaining("byte offset " + SegmentHeader.BYTES)
        .hasMessageContaining("not a torn tail");
    assertThat(Files.size(last)).as("nothing was truncated").isGreaterThan(offset + 125);
  }

  @Test
  void corruptionInANonLastSegmentRefusesToStartEvenInItsLastRecord() throws IOException {
    writeAndClose(100, 100);
    Path middle = SegmentFiles.segments(dir()).get(2);
    SegmentFiles.flipByte(middle, Files.size(middle) - 3);
    assertThatThrownBy(() -> SegmentedLogStore.open(dir(), SMALL))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(middle.toString())
        .hasMessageMatching("(?s).*byte offset \\d+.*")
        .hasMessageContaining("not the last one");
  }

  @Test
  void aMissingMiddleSegmentRefusesToStart() throws IOException {
    writeAndClose(100, 100);
    List<Path> files = SegmentFiles.segments(dir());
    Files.delete(files.get(3));
    assertThatThrownBy(() -> SegmentedLogStore.open(dir(), SMALL))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(files.get(4).toString())
        .hasMessageContaining("gap");
  }

  @Test
  void aMissingFirstSegmentWithoutASnapshotRefusesToStart() throws IOException {
    writeAndClose(100, 100);
    List<Path> files = SegmentFiles.segments(dir());
    Files.delete(files.get(0));
    assertThatThrownBy(() -> SegmentedLogStore.open(dir(), SMALL))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(files.get(1).toString())
        .hasMessageContaining("entries are missing");
  }

  @Test
  void aTornHeaderOfTheLastSegmentDeletesIt() throws IOException {
    List<LogEntry> written = writeAndClose(100, 100);
    Path last = lastSegment();
    long lastFirst = SegmentFileNames.firstIndexOf(last).getAsLong();
    SegmentFiles.cut(last, 10);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(lastFirst - 1);
      assertThat(log.entries(1, lastFirst, Long.MAX_VALUE))
          .isEqualTo(written.subList(0, (int) lastFirst - 1));
    }
    assertThat(last).doesNotExist();
  }

  @Test
  void zeroedSectorInsideTheTailIsATornWriteEvenWithValidRecordsAfterIt() throws IOException {
    // Page writeback can persist a later page of un-synced data before an earlier one.
    List<LogEntry> written = new ArrayList<>(range(1, 1, 2, 10));
    written.addAll(range(1, 3, 5, 1500));
    SegmentedLogOptions oneSegment = SMALL.withSegmentBytesMax(1 << 20);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), oneSegment)) {
      log.append(written);
      log.sync();
    }
    Path last = lastSegment();
    long third = SegmentHeader.BYTES + 2 * 35L;
    SegmentFiles.zero(last, 512, 1024); // inside record 3; records 4 and 5 stay valid
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(2);
      assertThat(Files.size(last)).isEqualTo(third);
    }
  }

  @Test
  void crashWithoutCloseKeepsEverythingSyncedAndOnlyAPrefixOfTheRest() throws IOException {
    List<LogEntry> written = range(1, 1, 300, 100);
    Path copy;
    SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL.withSegmentBytesMax(1 << 20));
    try {
      log.append(written.subList(0, 200));
      log.sync();
      log.append(written.subList(200, 300)); // buffered, never synced
      copy = SegmentFiles.crashCopy(dir(), tmp.resolve("crashed"));
    } finally {
      log.close();
    }
    try (SegmentedLogStore recovered = SegmentedLogStore.open(copy, SMALL)) {
      long last = recovered.lastIndex();
      assertThat(last).isBetween(200L, 300L);
      assertThat(recovered.entries(1, last + 1, Long.MAX_VALUE))
          .isEqualTo(written.subList(0, (int) last));
    }
  }

  @Test
  void interruptedCompactionIsFinishedOnOpen() throws IOException {
    List<LogEntry> written = writeAndClose(200, 100);
    int before = SegmentFiles.segments(dir()).size();
    LogMetaFile.write(dir(), new LogMetaFile.Snapshot(120, 1)); // crash before deleting segments
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.firstIndex()).isEqualTo(121);
      assertThat(log.term(120)).isEqualTo(1);
      assertThat(log.entries(121, 201, Long.MAX_VALUE)).isEqualTo(written.subList(120, 200));
    }
    List<Path> after = SegmentFiles.segments(dir());
    assertThat(after.size()).isLessThan(before);
    assertThat(SegmentFileNames.firstIndexOf(after.get(0)).getAsLong()).isLessThanOrEqualTo(121);
  }

  @Test
  void corruptionFoundWhileReadingIsReportedWithFileAndOffset() throws IOException {
    writeAndClose(100, 100);
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      Path first = SegmentFiles.segments(dir()).get(0);
      SegmentFiles.flipByte(first, SegmentHeader.BYTES + 125 + 40); // record 2's payload
      assertThat(log.entries(1, 2, Long.MAX_VALUE)).hasSize(1);
      assertThatThrownBy(() -> log.entries(1, 5, Long.MAX_VALUE))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(first.toString())
          .hasMessageContaining("byte offset " + (SegmentHeader.BYTES + 125));
    }
  }

  @Test
  void syncIsOneFsyncForEverythingAppendedSinceTheLastSync() throws IOException {
    List<LogEntry> written = new ArrayList<>();
    Path copy;
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SegmentedLogOptions.DEFAULTS)) {
      written.add(entry(1, 1));
      log.append(written);
      log.sync();
      assertThat(log.fsyncCount()).as("first segment: file and directory").isEqualTo(2);
      for (int batch = 0; batch < 10; batch++) { // 400 KiB: more than one write buffer
        List<LogEntry> entries = range(1, 2 + batch * 40, 41 + batch * 40, 1000);
        log.append(entries);
        written.addAll(entries);
      }
      log.sync();
      assertThat(log.fsyncCount()).as("group commit").isEqualTo(3);
      log.sync();
      assertThat(log.fsyncCount()).as("nothing new to sync").isEqualTo(3);
      assertThat(log.syncCount()).isEqualTo(3);
      copy = SegmentFiles.crashCopy(dir(), tmp.resolve("crashed"));
    }
    try (SegmentedLogStore recovered = SegmentedLogStore.open(copy, SMALL)) {
      assertThat(recovered.entries(1, 402, Long.MAX_VALUE)).isEqualTo(written);
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() {
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThatThrownBy(() -> SegmentedLogStore.open(dir(), SMALL))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("already open");
      assertThat(log.lastIndex()).isZero();
    }
  }

  private Path lastSegment() throws IOException {
    List<Path> files = SegmentFiles.segments(dir());
    return files.get(files.size() - 1);
  }

  /**
   * LogStore.startSync: the fsync half runs on another thread while the owner goes on appending
   * (across segment rotations) and reading; a sync run after a newer one of the same segment
   * skips its fsync; everything forced is there after reopening.
   */
  @Test
  void aStartedSyncIsForcedOnAnotherThreadWhileTheOwnerAppendsAndReads() throws Exception {
    List<LogEntry> written = range(1, 1, 300, 100);
    ExecutorService syncer =
        Executors.newSingleThreadExecutor();
    List<Future<?>> forced = new ArrayList<>();
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.startSync()).as("nothing written").isSameAs(LogStore.Sync.DONE);
      for (int i = 0; i < written.size(); i += 10) {
        log.append(written.subList(i, i + 10));
        LogStore.Sync sync = log.startSync();
        forced.add(syncer.submit(sync::force));
        assertThat(log.entries(1, i + 11, Long.MAX_VALUE)).isEqualTo(written.subList(0, i + 10));
      }
      for (Future<?> f : forced) {
        f.get(30, TimeUnit.SECONDS);
      }
      long fsyncs = log.fsyncCount();
      // two started syncs of the active segment, run newest first: the older one has nothing left
      log.append(List.of(entry(1, 301, 10)));
      LogStore.Sync older = log.startSync();
      log.append(List.of(entry(1, 302, 10)));
      LogStore.Sync newer = log.startSync();
      newer.force();
      older.force();
      assertThat(log.fsyncCount() - fsyncs).isEqualTo(1);
    } finally {
      syncer.shutdownNow();
    }
    try (SegmentedLogStore log = SegmentedLogStore.open(dir(), SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(302);
      assertThat(log.entries(1, 301, Long.MAX_VALUE)).isEqualTo(written);
    }
  }
}
