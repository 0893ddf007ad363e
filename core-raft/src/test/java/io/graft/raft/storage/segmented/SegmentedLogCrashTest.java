package io.graft.raft.storage.segmented;

import static org.assertj.core.api.Assertions.assertThat;

import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import io.graft.raft.storage.crash.CrashFileSystem;
import io.graft.raft.testing.SeedRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segmented log under power loss (issue 14 item 5): random appends, syncs, truncations and
 * compactions on a {@link CrashFileSystem}, which crashes at a random one of the store's mutating
 * file-system calls (inside an append's buffer flush, between a write and its fsync, between a
 * rotation's fsync and the next segment's creation, inside a truncation or compaction, ...) and
 * loses everything not forced, or keeps a prefix of it with the last write torn. After each crash
 * the store must reopen without help, and its log must be one the {@code LogStore} contract
 * allows: the state of the last {@code sync()} (or returned compaction) followed by a prefix of the
 * operations issued since, the last append possibly cut between entries and the last truncation
 * possibly done only in part (a suffix of what it removes). So every acknowledged (synced) entry
 * survives unless a later truncation removed it, and nothing appears that was never written.
 *
 * <p>{@code -Dcrash.runs=N} (default 100 runs of 3 crashes each), seeds from a random base printed
 * once ({@code -Dcrash.seedBase=B} pins it); a failure prints {@code -Dcrash.seed=S} to replay it.
 */
class SegmentedLogCrashTest {
  private static final long RUNS = Long.getLong("crash.runs", 100);
  private static final int CRASHES_PER_RUN = 3;

  @TempDir Path tmp;

  @Test
  void everyAcknowledgedEntrySurvivesACrashAtAnyFileSystemCall() throws IOException {
    SeedRange seeds = SeedRange.of("crash", RUNS, "segmented log crash runs:");
    long base = seeds.first();
    long runs = seeds.count();
    long[] totals = new long[6];
    for (long seed = base; seed < base + runs; seed++) {
      Run run = new Run(seed, tmp.resolve("seed-" + seed));
      try {
        run.run();
      } catch (Throwable t) {
        throw new AssertionError("crash run seed " + seed + " failed (replay: mvn -B -pl"
            + " core-raft test -Dtest=SegmentedLogCrashTest -Dcrash.seed=" + seed + ")\n"
            + run.history, t);
      }
      totals[0] += run.crashesInside;
      totals[1] += run.opsLost;
      totals[2] += run.torn;
      totals[3] += run.acknowledgedChecked;
      totals[4] += run.calls;
      totals[5] += run.crashesInRecovery;
    }
    System.out.printf("segmented log crash runs: %d runs, %d crashes (%d inside a call of the"
            + " store, %d more during recovery), %d file-system calls, %d unforced operations"
            + " lost, %d writes torn, %d acknowledged entries checked after recovery%n",
        runs, runs * CRASHES_PER_RUN, totals[0], totals[5], totals[4], totals[1], totals[2],
        totals[3]);
    if (runs >= 50) {
      // The point is crashes inside the store's calls, with unforced data lost and torn.
      assertThat(totals[0]).as("crashes inside a store call").isGreaterThan(runs);
      assertThat(totals[1]).as("unforced operations lost").isPositive();
      assertThat(totals[2]).as("torn writes").isPositive();
    }
  }

  /** The logical log: snapshot point plus the entries after it. */
  private record State(long snapshotIndex, long snapshotTerm, List<LogEntry> entries) {
    long lastIndex() {
      return snapshotIndex + entries.size();
    }

    long lastTerm() {
      return entries.isEmpty() ? snapshotTerm : entries.get(entries.size() - 1).term();
    }

    State append(List<LogEntry> more) {
      List<LogEntry> all = new ArrayList<>(entries);
      all.addAll(more);
      return new State(snapshotIndex, snapshotTerm, all);
    }

    State truncate(long from) {
      if (from > lastIndex()) {
        return this;
      }
      return new State(snapshotIndex, snapshotTerm,
          List.copyOf(entries.subList(0, (int) (from - snapshotIndex - 1))));
    }

    State compact(long upTo, long upToTerm) {
      if (upTo <= snapshotIndex) {
        return this;
      }
      if (upTo >= lastIndex()) {
        return new State(upTo, upToTerm, List.of());
      }
      return new State(upTo, upToTerm,
          List.copyOf(entries.subList((int) (upTo - snapshotIndex), entries.size())));
    }

    @Override
    public String toString() {
      return "log(snapshot " + snapshotIndex + "/t" + snapshotTerm + ", last " + lastIndex() + "/t"
          + lastTerm() + ")";
    }
  }

  /** One operation issued since the last acknowledged state. */
  private interface Op {
    State applyTo(State s);
  }

  private record Append(List<LogEntry> entries) implements Op {
    @Override
    public State applyTo(State s) {
      return s.append(entries);
    }

    @Override
    public String toString() {
      return "append [" + entries.get(0).index() + ".." + entries.get(entries.size() - 1).index()
          + "] t" + entries.get(0).term();
    }
  }

  private record Truncate(long from) implements Op {
    @Override
    public State applyTo(State s) {
      return s.truncate(from);
    }
  }

  private record Compact(long upTo, long upToTerm) implements Op {
    @Override
    public State applyTo(State s) {
      return s.compact(upTo, upToTerm);
    }
  }

  private static final class Run {
    final long seed;
    final SplittableRandom random;
    final Path realDir;
    final SegmentedLogOptions options;
    final StringBuilder history = new StringBuilder();
    CrashFileSystem fs;
    Path dir;
    SegmentedLogStore log;
    State acknowledged = new State(0, 0, List.of());
    final List<Op> since = new ArrayList<>();
    long term = 1;
    long crashesInside;
    long opsLost;
    long torn;
    long acknowledgedChecked;
    long calls;
    long crashesInRecovery;

    Run(long seed, Path realDir) throws IOException {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
      this.realDir = Files.createDirectories(realDir);
      // Small segments and write buffer, a tiny cache: rotations, buffer flushes and disk reads.
      this.options = new SegmentedLogOptions(2048 + random.nextInt(16_384), 4096,
          1 + random.nextInt(8), 4096);
    }

    void run() {
      fs = CrashFileSystem.over(realDir);
      dir = fs.root().resolve("log");
      log = SegmentedLogStore.open(dir, options);
      for (int crash = 0; crash < CRASHES_PER_RUN; crash++) {
        CrashFileSystem.Mode mode = random.nextBoolean()
            ? CrashFileSystem.Mode.LOSE_UNFORCED : CrashFileSystem.Mode.KEEP_PREFIX;
        long before = fs.mutatingCalls();
        fs.crashAtCall(1 + random.nextInt(120), mode, new SplittableRandom(random.nextLong()));
        note("-- crash " + crash + " armed (" + mode + ")");
        try {
          for (int op = 0; op < 300 && !fs.crashed(); op++) {
            step();
          }
        } catch (RuntimeException e) {
          // The crash surfaces as whatever the store makes of the failed call.
          if (!fs.crashed()) {
            throw e;
          }
        }
        boolean inside = fs.crashed();
        CrashFileSystem.CrashReport report =
            fs.crash(mode, new SplittableRandom(random.nextLong()));
        calls += fs.mutatingCalls() - before;
        crashesInside += inside ? 1 : 0;
        opsLost += report.opsLost();
        torn += report.torn();
        note("-- crashed " + (inside ? "inside " : "") + report);
        fs.restart();
        if (random.nextInt(3) == 0) {
          // Crash again while recovery repairs the log (torn tail, leftover segments, temp file).
          fs.crashAtCall(1 + random.nextInt(4), mode, new SplittableRandom(random.nextLong()));
          try {
            SegmentedLogStore.open(dir, options).close();
          } catch (RuntimeException e) {
            if (!fs.crashed()) {
              throw e;
            }
          }
          if (fs.crashed()) {
            crashesInRecovery++;
            note("-- crashed again during recovery " + fs.restart());
          } else {
            fs.disarm();
          }
        }
        log = SegmentedLogStore.open(dir, options);
        checkRecovered();
      }
      log.close();
    }

    private void note(String line) {
      history.append(line).append('\n');
      if (history.length() > 20_000) {
        history.delete(0, history.length() - 20_000);
      }
    }

    /** What the store holds logically right now (acknowledged state plus every op since). */
    private State current() {
      State s = acknowledged;
      for (Op op : since) {
        s = op.applyTo(s);
      }
      return s;
    }

    private void step() {
      State now = current();
      int dice = random.nextInt(100);
      if (dice < 55) {
        int count = 1 + random.nextInt(12);
        if (random.nextInt(8) == 0) {
          term++;
        }
        List<LogEntry> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          batch.add(entry(term, now.lastIndex() + 1 + i));
        }
        Append op = new Append(batch);
        note(op.toString());
        since.add(op);
        log.append(batch);
      } else if (dice < 75) {
        note("sync");
        log.sync();
        acknowledge();
      } else if (dice < 85 && now.lastIndex() > now.snapshotIndex()) {
        long from = now.snapshotIndex() + 1
            + random.nextLong(now.lastIndex() - now.snapshotIndex());
        term++; // a new leader overwrites the suffix with entries of its term (§5.3)
        Truncate op = new Truncate(from);
        note("truncateSuffix " + from);
        since.add(op);
        log.truncateSuffix(from);
      } else if (dice < 90) {
        // The runtime compacts only what it has synced (a snapshot covers applied entries).
        note("sync");
        log.sync();
        acknowledge();
        long upTo = now.snapshotIndex() + 1 + random.nextLong(now.lastIndex() - now.snapshotIndex()
            + 3);
        long upToTerm = upTo <= now.lastIndex() ? termAt(now, upTo) : term;
        Compact op = new Compact(upTo, upToTerm);
        note("compactPrefix " + upTo + " t" + upToTerm);
        since.add(op);
        log.compactPrefix(upTo, upToTerm);
        acknowledge(); // compaction is durable when it returns
      } else {
        checkReads(now);
      }
    }

    private void acknowledge() {
      acknowledged = current();
      since.clear();
    }

    private static long termAt(State s, long index) {
      return index == s.snapshotIndex() ? s.snapshotTerm()
          : s.entries().get((int) (index - s.snapshotIndex() - 1)).term();
    }

    private LogEntry entry(long entryTerm, long index) {
      int size = switch (random.nextInt(20)) {
        case 0 -> 5_000 + random.nextInt(20_000); // larger than the write buffer: streamed
        case 1, 2 -> 500 + random.nextInt(3_000);
        default -> random.nextInt(120);
      };
      byte[] payload = new byte[size];
      random.nextBytes(payload);
      return new LogEntry(entryTerm, index, EntryType.APPLICATION, payload);
    }

    /** The page cache serves what was written: reads see every op, synced or not. */
    private void checkReads(State now) {
      assertThat(log.lastIndex()).as("lastIndex before any crash").isEqualTo(now.lastIndex());
      if (now.entries().isEmpty()) {
        return;
      }
      long from = now.snapshotIndex() + 1 + random.nextInt(now.entries().size());
      assertThat(log.entries(from, now.lastIndex() + 1, Long.MAX_VALUE))
          .isEqualTo(now.entries().subList((int) (from - now.snapshotIndex() - 1),
              now.entries().size()));
    }

    /**
     * The recovered log must be the acknowledged state followed by a prefix of the operations
     * issued since (the last append possibly cut between entries); it becomes the new acknowledged
     * state (it is all on disk now).
     */
    private void checkRecovered() {
      State recovered = read();
      List<State> allowed = new ArrayList<>();
      State s = acknowledged;
      allowed.add(s);
      for (Op op : since) {
        if (op instanceof Append a) {
          for (int j = 1; j < a.entries().size(); j++) {
            allowed.add(s.append(a.entries().subList(0, j)));
          }
        } else if (op instanceof Truncate t) {
          // Cut short, a truncation has removed a suffix of what it removes (the store deletes
          // the last segments first): harmless, the entries it removes conflict with the leader.
          for (long end = t.from() + 1; end <= s.lastIndex(); end++) {
            allowed.add(s.truncate(end));
          }
        }
        s = op.applyTo(s);
        allowed.add(s);
      }
      note("recovered " + recovered + ", acknowledged " + acknowledged + ", ops since " + since);
      assertThat(allowed)
          .as("recovered %s must be the acknowledged %s plus a prefix of %s", recovered,
              acknowledged, since)
          .contains(recovered);
      long survivors = 0;
      for (LogEntry e : acknowledged.entries()) {
        survivors += recovered.entries().contains(e) ? 1 : 0;
      }
      acknowledgedChecked += survivors;
      acknowledged = recovered;
      since.clear();
      term = Math.max(term, recovered.lastTerm()) + 1; // a restart starts a new term
    }

    private State read() {
      long first = log.firstIndex();
      long last = log.lastIndex();
      List<LogEntry> entries = last >= first
          ? log.entries(first, last + 1, Long.MAX_VALUE) : List.of();
      assertThat(entries).as("entries [%d, %d] read back after recovery", first, last)
          .hasSize((int) (last - first + 1));
      return new State(log.snapshotIndex(), log.snapshotTerm(), List.copyOf(entries));
    }
  }
}
