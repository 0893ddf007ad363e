package io.graft.raft.storage.segmented;

import static io.graft.raft.storage.TestEntries.entry;
import static io.graft.raft.storage.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segmented log on a disk that fills up mid-write ({@link FullDiskChannel}): the write that
 * fails is never acknowledged (its append or sync throws), the log then takes no more writes and
 * its close writes nothing, and once space is back the log reopens with every record synced before
 * the failure and takes appends again. Before, the store carried on after such a failure with an
 * index that counted records which never reached the file (an append after it was refused as "out
 * of order: expected index 276" with only ~120 records written), so any further use would have put
 * records at the wrong offsets; only the runtime stopping the node kept that from happening.
 */
class SegmentedLogDiskFullTest {
  private static final int PAYLOAD = 1000;

  @TempDir Path tmp;

  @Test
  void aWriteThatFillsTheDiskIsNeverAcknowledgedAndTheLogReopensOnceSpaceIsBack()
      throws IOException {
    Path dir = tmp.resolve("log");
    AtomicLong free = new AtomicLong(Long.MAX_VALUE);
    List<LogEntry> synced = range(1, 1, 20, PAYLOAD);
    SegmentedLogStore log = SegmentedLogStore.open(dir, SegmentedLogOptions.DEFAULTS,
        (path, options) -> new FullDiskChannel(FileChannel.open(path, options), free));
    log.append(synced);
    log.sync();

    // 300 more records (~300 KiB, more than the 256 KiB write buffer) on a disk with 100 KiB
    // left: the buffer's write is cut short, then fails.
    free.set(100 * 1024);
    assertThatThrownBy(() -> {
      log.append(range(1, 21, 320, PAYLOAD));
      log.sync();
    }).isInstanceOf(StorageException.class)
        .hasRootCauseMessage("No space left on device");

    assertThatThrownBy(() -> log.append(List.of(entry(1, 321, PAYLOAD))))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("takes no more writes after an earlier I/O failure")
        .hasMessageContaining("No space left on device");
    assertThatThrownBy(log::sync).hasMessageContaining("takes no more writes");
    assertThatThrownBy(() -> log.truncateSuffix(2)).hasMessageContaining("takes no more writes");

    free.set(Long.MAX_VALUE); // space is back before the member stops: close must still not write
    Map<Path, byte[]> before = contents(dir);
    log.close();
    assertThat(contents(dir)).as("close after a failed write leaves the files as they were")
        .containsExactlyInAnyOrderEntriesOf(before);

    try (SegmentedLogStore reopened = SegmentedLogStore.open(dir, SegmentedLogOptions.DEFAULTS)) {
      assertThat(reopened.lastIndex()).isBetween(20L, 320L);
      assertThat(reopened.entries(1, 21, Long.MAX_VALUE)).isEqualTo(synced);
      long next = reopened.lastIndex() + 1;
      List<LogEntry> more = range(2, next, next + 9, PAYLOAD);
      reopened.append(more);
      reopened.sync();
    }
    try (SegmentedLogStore again = SegmentedLogStore.open(dir, SegmentedLogOptions.DEFAULTS)) {
      List<LogEntry> all = again.entries(1, again.lastIndex() + 1, Long.MAX_VALUE);
      assertThat(all.subList(0, 20)).isEqualTo(synced);
      assertThat(all.get(all.size() - 1).term()).isEqualTo(2);
    }
  }

  @Test
  void openingForcesTheLastSegmentAndTheDirectory() {
    Path dir = tmp.resolve("log");
    try (SegmentedLogStore log = SegmentedLogStore.open(dir, SegmentedLogOptions.DEFAULTS)) {
      log.append(range(1, 1, 3, PAYLOAD));
      log.sync();
    }
    // A run that stopped between a write and its fsync leaves records the page cache still
    // serves: they must be durable before the new run acknowledges anything from them.
    try (SegmentedLogStore reopened = SegmentedLogStore.open(dir, SegmentedLogOptions.DEFAULTS)) {
      assertThat(reopened.fsyncCount()).as("last segment and directory").isEqualTo(2);
    }
  }

  private static Map<Path, byte[]> contents(Path dir) throws IOException {
    Map<Path, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : new ArrayList<>(files.toList())) {
        out.put(f.getFileName(), Files.readAllBytes(f));
      }
    }
    return out;
  }
}
