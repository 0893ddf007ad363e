package io.graft.raft.storage;

import static io.graft.raft.storage.TestEntries.entry;
import static io.graft.raft.storage.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LogStore} must have, run against each implementation (docs/STYLE.md
 * §3.14c). Covers the {@code LogReader} conventions for an empty and a compacted log, dense appends
 * with non-decreasing terms (Raft §5.3 log matching), byte-bounded reads, suffix truncation
 * (conflicting entries, §5.3), prefix compaction incl. a snapshot beyond the last index (§7).
 * Durable stores extend {@link DurableLogStoreContractTest}, which adds that everything synced
 * survives close and reopen.
 */
public abstract class LogStoreContractTest {
  private LogStore store;

  /** A fresh, empty store. */
  protected abstract LogStore create();

  /** Closes {@code store} and opens the same storage again; only for durable stores. */
  protected LogStore reopen(LogStore store) {
    throw new UnsupportedOperationException("not durable");
  }

  protected boolean durable() {
    return false;
  }

  protected LogStore log() {
    if (store == null) {
      store = create();
    }
    return store;
  }

  /** Closes the store and opens the same storage again ({@link #reopen}). */
  protected final void reopenLog() {
    store = reopen(store);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void emptyLogFollowsTheLogReaderConventions() {
    assertThat(log().firstIndex()).isEqualTo(1);
    assertThat(log().lastIndex()).isZero();
    assertThat(log().snapshotIndex()).isZero();
    assertThat(log().snapshotTerm()).isZero();
    assertThat(log().term(0)).isZero();
    assertThat(log().entries(1, 1, Long.MAX_VALUE)).isEmpty();
    assertThatThrownBy(() -> log().term(1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log().entries(1, 2, 100))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void appendedEntriesAreReadBackWithTheirTerms() {
    List<LogEntry> written = new ArrayList<>(range(1, 1, 5, 10));
    written.addAll(range(3, 6, 9, 0));
    written.add(entry(7, 10, 5000));
    log().append(written.subList(0, 4));
    log().append(written.subList(4, 10));
    assertThat(log().lastIndex()).isEqualTo(10);
    assertThat(log().firstIndex()).isEqualTo(1);
    for (LogEntry e : written) {
      assertThat(log().term(e.index())).isEqualTo(e.term());
    }
    assertThat(log().entries(1, 11, Long.MAX_VALUE)).isEqualTo(written);
    assertThat(log().entries(4, 7, Long.MAX_VALUE)).isEqualTo(written.subList(3, 6));
    assertThat(log().entries(11, 11, Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void entriesStopAtMaxBytesButReturnAtLeastOne() {
    List<LogEntry> written = range(1, 1, 10, 100); // sizeBytes 124 each
    log().append(written);
    assertThat(log().entries(1, 11, 0)).containsExactly(written.get(0));
    assertThat(log().entries(1, 11, 124)).containsExactly(written.get(0));
    assertThat(log().entries(1, 11, 300)).isEqualTo(written.subList(0, 2));
    assertThat(log().entries(3, 11, 372)).isEqualTo(written.subList(2, 5));
    assertThat(log().entries(1, 11, Long.MAX_VALUE)).isEqualTo(written);
  }

  @Test
  void entriesOutsideTheLogAreRejected() {
    log().append(range(1, 1, 5, 1));
    assertThatThrownBy(() -> log().entries(0, 3, 100))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log().entries(2, 7, 100))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log().entries(4, 3, 100))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log().term(6)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void appendRejectsGapsOverlapsAndDecreasingTermsAndLeavesTheLogUnchanged() {
    log().append(range(2, 1, 3, 4));
    assertThatThrownBy(() -> log().append(List.of(entry(2, 5))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log().append(List.of(entry(2, 3))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log().append(List.of(entry(1, 4))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log().append(List.of(entry(2, 4), entry(2, 6))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log().append(List.of(entry(3, 4), entry(2, 5))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(log().lastIndex()).isEqualTo(3);
    assertThat(log().entries(1, 4, Long.MAX_VALUE)).isEqualTo(range(2, 1, 3, 4));
    log().append(List.of());
    log().append(List.of(entry(2, 4), entry(5, 5)));
    assertThat(log().lastIndex()).isEqualTo(5);
  }

  @Test
  void truncateSuffixRemovesConflictingEntriesAndAllowsNewOnes() {
    log().append(range(1, 1, 10, 20));
    log().truncateSuffix(11);
    assertThat(log().lastIndex()).isEqualTo(10);
    log().truncateSuffix(6);
    assertThat(log().lastIndex()).isEqualTo(5);
    assertThatThrownBy(() -> log().term(6)).isInstanceOf(IndexOutOfBoundsException.class);
    List<LogEntry> replacement = range(2, 6, 8, 30);
    log().append(replacement);
    assertThat(log().entries(6, 9, Long.MAX_VALUE)).isEqualTo(replacement);
    assertThat(log().entries(1, 6, Long.MAX_VALUE)).isEqualTo(range(1, 1, 5, 20));
    log().truncateSuffix(1);
    assertThat(log().lastIndex()).isZero();
    log().append(List.of(entry(3, 1)));
    assertThat(log().entries(1, 2, 1)).containsExactly(entry(3, 1));
    assertThatThrownBy(() -> log().truncateSuffix(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compactPrefixKeepsTheBoundaryTermAndTheSuffix() {
    List<LogEntry> written = range(1, 1, 5, 8);
    written = new ArrayList<>(written);
    written.addAll(range(2, 6, 10, 8));
    log().append(written);
    log().compactPrefix(6, 2);
    assertThat(log().snapshotIndex()).isEqualTo(6);
    assertThat(log().snapshotTerm()).isEqualTo(2);
    assertThat(log().firstIndex()).isEqualTo(7);
    assertThat(log().lastIndex()).isEqualTo(10);
    assertThat(log().term(6)).isEqualTo(2);
    assertThatThrownBy(() -> log().term(5)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log().entries(6, 8, 100))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(log().entries(7, 11, Long.MAX_VALUE)).isEqualTo(written.subList(6, 10));
    log().compactPrefix(4, 1); // at or below the snapshot: no-op
    assertThat(log().snapshotIndex()).isEqualTo(6);
    assertThatThrownBy(() -> log().truncateSuffix(6)).isInstanceOf(IllegalArgumentException.class);
    log().truncateSuffix(7);
    assertThat(log().lastIndex()).isEqualTo(6);
    assertThat(log().entries(7, 7, 100)).isEmpty();
    log().append(List.of(entry(4, 7)));
    assertThat(log().term(7)).isEqualTo(4);
  }

  @Test
  void compactPrefixBeyondTheLastIndexDropsTheWholeLog() {
    log().append(range(1, 1, 5, 8));
    log().compactPrefix(20, 3);
    assertThat(log().firstIndex()).isEqualTo(21);
    assertThat(log().lastIndex()).isEqualTo(20);
    assertThat(log().term(20)).isEqualTo(3);
    assertThat(log().entries(21, 21, 10)).isEmpty();
    assertThatThrownBy(() -> log().term(5)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log().append(List.of(entry(3, 6))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log().append(List.of(entry(2, 21))))
        .isInstanceOf(IllegalArgumentException.class);
    log().append(range(3, 21, 23, 8));
    assertThat(log().entries(21, 24, Long.MAX_VALUE)).isEqualTo(range(3, 21, 23, 8));
  }

  @Test
  void compactPrefixAtTheLastIndexEmptiesTheLog() {
    log().append(range(2, 1, 4, 8));
    log().compactPrefix(4, 2);
    assertThat(log().firstIndex()).isEqualTo(5);
    assertThat(log().lastIndex()).isEqualTo(4);
    log().append(List.of(entry(2, 5)));
    assertThat(log().entries(5, 6, 1)).containsExactly(entry(2, 5));
  }

  @Test
  void largeEntriesRoundTrip() {
    List<LogEntry> written = List.of(entry(1, 1, 1 << 20), entry(1, 2, 3), entry(1, 3, 700_000));
    log().append(written);
    log().sync();
    assertThat(log().entries(1, 4, Long.MAX_VALUE)).isEqualTo(written);
    assertThat(log().entries(2, 4, 10)).containsExactly(written.get(1));
  }

  /**
   * The log reset of a snapshot install whose last entry the log does not hold (thesis §5.3
   * receiver rule 7, as SnapshotCoordinator does it): drop every entry, compact to the snapshot
   * beyond the old end, continue right after it; the result survives a reopen.
   */
  @Test
  void snapshotInstallResetDiscardsAConflictingLogAndSurvivesReopen() {
    log().append(range(1, 1, 40, 40));
    log().compactPrefix(10, 1);
    log().truncateSuffix(log().snapshotIndex() + 1);
    log().compactPrefix(75, 3);
    log().append(range(3, 76, 80, 40));
    log().sync();
    assertThat(log().firstIndex()).isEqualTo(76);
    assertThat(log().term(75)).isEqualTo(3);
    assertThatThrownBy(() -> log().term(40)).isInstanceOf(IndexOutOfBoundsException.class);
    if (durable()) {
      reopenLog();
      assertThat(log().snapshotIndex()).isEqualTo(75);
      assertThat(log().snapshotTerm()).isEqualTo(3);
      assertThat(log().entries(76, 81, Long.MAX_VALUE)).isEqualTo(range(3, 76, 80, 40));
    }
  }

  /** Compacting step by step (a snapshot every few entries) never loses the suffix. */
  @Test
  void repeatedCompactionKeepsEverythingAfterTheLatestPoint() {
    List<LogEntry> written = range(1, 1, 500, 300);
    log().append(written);
    long latest = 0;
    for (long upTo = 37; upTo < 480; upTo += 37) {
      latest = upTo;
      log().compactPrefix(upTo, 1);
      assertThat(log().firstIndex()).isEqualTo(upTo + 1);
      assertThat(log().entries(upTo + 1, 501, Long.MAX_VALUE))
          .isEqualTo(written.subList((int) upTo, 500));
    }
    log().sync();
    if (durable()) {
      reopenLog();
      assertThat(log().snapshotIndex()).isEqualTo(latest).isEqualTo(444);
      assertThat(log().entries(latest + 1, 501, Long.MAX_VALUE))
          .isEqualTo(written.subList((int) latest, 500));
    }
  }
}
