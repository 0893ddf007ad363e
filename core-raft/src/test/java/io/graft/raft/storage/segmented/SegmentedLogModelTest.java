package io.graft.raft.storage.segmented;

import static io.graft.raft.storage.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.memory.InMemoryLogStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random operation sequences (append, truncate, compact, sync, reopen, crash with and without
 * un-synced appends) on the segmented log, checked after every step against {@link
 * InMemoryLogStore} as the model. Small segments and a tiny cache force rotation and reads from the
 * files; every other seed preallocates its segments.
 *
 * <p>Every failure names its seed; replay one with {@code -Dgraft.storage.seed=<seed>} (and more
 * seeds with {@code -Dgraft.storage.seeds=<count>}).
 */
class SegmentedLogModelTest {
  private static final SegmentedLogOptions OPTIONS =
      new SegmentedLogOptions(12_000, 4096, 4, 2000);
  private static final int STEPS = 250;

  @TempDir Path tmp;

  @Test
  void randomOperationsMatchTheInMemoryModel() throws IOException {
    String fixed = System.getProperty("graft.storage.seed");
    if (fixed != null) {
      runSeed(Long.parseLong(fixed));
      return;
    }
    int seeds = Integer.getInteger("graft.storage.seeds", 6);
    long base = 0x5eed_0000L;
    for (long seed = base; seed < base + seeds; seed++) {
      runSeed(seed);
    }
  }

  private void runSeed(long seed) throws IOException {
    Run run = new Run(seed, tmp.resolve("seed-" + seed));
    int step = 0;
    try {
      for (; step < STEPS; step++) {
        run.step();
        run.check();
      }
    } catch (Throwable t) {
      throw new AssertionError("seed " + seed + " failed at step " + step + " (replay with"
          + " -Dgraft.storage.seed=" + seed + "); last op: " + run.lastOp, t);
    } finally {
      run.log.close();
    }
  }

  private static final class Run {
    final Random random;
    final Path root;
    final InMemoryLogStore model = new InMemoryLogStore();
    SegmentedLogStore log;
    Path dir;
    int generation;
    long term = 1;
    String lastOp = "";

    /** Every other seed preallocates its segments (inline: deterministic). */
    final java.util.concurrent.Executor preallocation;

    Run(long seed, Path root) {
      this.random = new Random(seed);
      this.root = root;
      this.dir = root.resolve("g0");
      this.preallocation = seed % 2 == 0 ? Runnable::run : null;
      this.log = SegmentedLogStore.open(dir, OPTIONS, preallocation);
    }

    void step() throws IOException {
      int op = random.nextInt(100);
      if (op < 55) {
        append();
      } else if (op < 67) {
        truncate();
      } else if (op < 75) {
        compact();
      } else if (op < 85) {
        lastOp = "sync";
        log.sync();
      } else if (op < 90) {
        lastOp = "reopen";
        log.close();
        log = SegmentedLogStore.open(dir, OPTIONS, preallocation);
      } else if (op < 95) {
        lastOp = "crash after sync";
        log.sync();
        crash();
      } else {
        crashWithUnsyncedAppends();
      }
    }

    void append() {
      if (random.nextInt(10) == 0) {
        term++;
      }
      int count = 1 + random.nextInt(8);
      List<LogEntry> batch = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int size = random.nextInt(20) == 0 ? 2000 + random.nextInt(3000) : random.nextInt(300);
        batch.add(entry(term, model.lastIndex() + 1 + i, size));
      }
      lastOp = "append " + batch;
      model.append(batch);
      log.append(batch);
    }

    void truncate() {
      long from = model.firstIndex() + (long) (random.nextDouble() * (model.lastIndex() + 2
          - model.firstIndex()));
      lastOp = "truncateSuffix " + from;
      term++; // a new leader overwrites the conflicting suffix (§5.3)
      model.truncateSuffix(from);
      log.truncateSuffix(from);
    }

    void compact() {
      long upTo = model.snapshotIndex() + 1 + random.nextInt(
          (int) (model.lastIndex() - model.snapshotIndex() + 5));
      long upToTerm = upTo <= model.lastIndex() ? model.term(upTo) : term;
      lastOp = "compactPrefix " + upTo + " " + upToTerm;
      model.compactPrefix(upTo, upToTerm);
      log.compactPrefix(upTo, upToTerm);
    }

    void crash() throws IOException {
      Path copy = SegmentFiles.crashCopy(dir, root.resolve("g" + (++generation)));
      log.close();
      dir = copy;
      log = SegmentedLogStore.open(dir, OPTIONS, preallocation);
    }

    /**
     * A crash with un-synced appends, some of them already written to the file (small write
     * buffer), and the last segment cut at a random length past what was synced: a torn tail.
     * Rotation forces the finished segment, so only the last file can be torn.
     */
    void crashWithUnsyncedAppends() throws IOException {
      log.sync();
      long synced = model.lastIndex();
      List<Path> files = SegmentFiles.segments(dir);
      Path syncedLast = files.isEmpty() ? null : files.get(files.size() - 1).getFileName();
      long syncedSize = syncedLast == null ? 0 : Files.size(dir.resolve(syncedLast));
      for (int i = random.nextInt(6); i >= 0; i--) {
        append();
      }
      lastOp = "crash with un-synced appends after " + synced;
      Path copy = SegmentFiles.crashCopy(dir, root.resolve("g" + (++generation)));
      List<Path> copied = SegmentFiles.segments(copy);
      if (!copied.isEmpty()) {
        Path last = copied.get(copied.size() - 1);
        long floor = last.getFileName().equals(syncedLast) ? syncedSize : 0;
        long size = Files.size(last);
        SegmentFiles.cut(last, floor + (long) (random.nextDouble() * (size - floor + 1)));
      }
      log.close();
      dir = copy;
      log = SegmentedLogStore.open(dir, OPTIONS, preallocation);
      assertThat(log.lastIndex()).isBetween(synced, model.lastIndex());
      if (log.lastIndex() < model.lastIndex()) {
        model.truncateSuffix(log.lastIndex() + 1);
      }
    }

    void check() {
      assertThat(log.snapshotIndex()).isEqualTo(model.snapshotIndex());
      assertThat(log.snapshotTerm()).isEqualTo(model.snapshotTerm());
      assertThat(log.firstIndex()).isEqualTo(model.firstIndex());
      assertThat(log.lastIndex()).isEqualTo(model.lastIndex());
      for (long i = model.snapshotIndex(); i <= model.lastIndex(); i++) {
        assertThat(log.term(i)).as("term(%d)", i).isEqualTo(model.term(i));
      }
      long first = model.firstIndex();
      long end = model.lastIndex() + 1;
      assertThat(log.entries(first, end, Long.MAX_VALUE))
          .isEqualTo(model.entries(first, end, Long.MAX_VALUE));
      long from = first + (long) (random.nextDouble() * (end - first + 1));
      long maxBytes = random.nextInt(3000);
      assertThat(log.entries(from, end, maxBytes)).isEqualTo(model.entries(from, end, maxBytes));
    }
  }
}
