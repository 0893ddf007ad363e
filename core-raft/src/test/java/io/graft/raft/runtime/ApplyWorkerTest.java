package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.CommitResult;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.StateMachine;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit on the apply thread: queued committed entries are drained and handed to {@link
 * StateMachine#applyBatch} as runs of consecutive application entries; internal entries and tasks
 * split runs; the applied index, the proposers' futures and the snapshot listener move only after
 * a whole run returned; a failure or a gap is fatal.
 */
class ApplyWorkerTest {
  private final ProposalRegistry registry = new ProposalRegistry();
  private final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
  private final Map<Long, CompletableFuture<CommitResult>> futures = new ConcurrentHashMap<>();
  private final List<Long> listened = new CopyOnWriteArrayList<>();
  private ApplyWorker worker;

  @AfterEach
  void close() {
    if (worker != null) {
      worker.close();
    }
  }

  /** Records each call: a run of application indexes, or "internal" for an internal entry. */
  private final class BatchMachine implements StateMachine {
    final List<List<Long>> calls = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    volatile long lastApplied;
    volatile RuntimeException failOnBatch;
    volatile Integer dropOneResult;

    @Override
    public Object apply(CommittedEntry entry) {
      throw new AssertionError("the worker must call applyBatch, not apply");
    }

    @Override
    public List<Object> applyBatch(List<CommittedEntry> entries) {
      List<Long> indexes = entries.stream().map(CommittedEntry::index).toList();
      calls.add(indexes);
      for (CommittedEntry e : entries) {
        CompletableFuture<CommitResult> f = futures.get(e.index());
        if (f != null && f.isDone()) {
          violations.add("future of " + e.index() + " completed before its batch returned");
        }
      }
      if (worker.appliedIndex() >= indexes.get(0)) {
        violations.add("applied index moved before the batch " + indexes + " returned");
      }
      if (failOnBatch != null) {
        throw failOnBatch;
      }
      List<Object> results = new ArrayList<>();
      for (CommittedEntry e : entries) {
        results.add("r" + e.index());
      }
      if (dropOneResult != null) {
        results.remove(0);
      }
      lastApplied = indexes.get(indexes.size() - 1);
      return results;
    }

    @Override
    public void onInternalEntry(long index, long term) {
      calls.add(List.of(-index));
      lastApplied = index;
    }

    @Override
    public long lastAppliedIndex() {
      return lastApplied;
    }
  }

  private ApplyWorker worker(BatchMachine sm, int maxEntries, long maxBytes) {
    worker = new ApplyWorker("test-apply", sm, registry, fatal::complete, maxEntries, maxBytes);
    worker.afterApply(e -> listened.add(e.index()));
    return worker;
  }

  private static LogEntry app(long index) {
    return new LogEntry(1, index, EntryType.APPLICATION,
        ("p" + index).getBytes(StandardCharsets.UTF_8));
  }

  private static LogEntry noop(long index) {
    return new LogEntry(1, index, EntryType.NOOP, null);
  }

  private void propose(long... indexes) {
    for (long i : indexes) {
      CompletableFuture<CommitResult> f = new CompletableFuture<>();
      futures.put(i, f);
      registry.register(i, 1, f);
    }
  }

  private void awaitApplied(long index) {
    await().atMost(Duration.ofSeconds(10)).until(() -> worker.appliedIndex() >= index);
  }

  @Test
  void queuedBatchesAreDrainedIntoRunsSplitByInternalEntriesInLogOrder() throws Exception {
    BatchMachine sm = new BatchMachine();
    ApplyWorker w = worker(sm, 100, 1 << 20);
    propose(1, 2, 3, 5, 6, 7);
    // Queued before the thread starts: all of it is committed and waiting when the worker drains.
    w.enqueue(List.of(app(1), app(2)));
    w.enqueue(List.of(app(3), noop(4), app(5)));
    w.enqueue(List.of(app(6), app(7)));
    w.start();
    awaitApplied(7);
    assertThat(sm.calls).containsExactly(List.of(1L, 2L, 3L), List.of(-4L), List.of(5L, 6L, 7L));
    assertThat(sm.violations).isEmpty();
    for (long i : new long[] {1, 2, 3, 5, 6, 7}) {
      CommitResult r = futures.get(i).get(5, TimeUnit.SECONDS);
      assertThat(r.index()).isEqualTo(i);
      assertThat(r.result()).isEqualTo("r" + i);
    }
    // The snapshot policy hears of run ends and internal entries only, never a run's middle.
    assertThat(listened).containsExactly(3L, 4L, 7L);
    assertThat(w.backlogBytes()).isZero();
    assertThat(fatal).isNotDone();
  }

  @Test
  void runsRespectTheEntryAndByteBounds() {
    BatchMachine sm = new BatchMachine();
    ApplyWorker w = worker(sm, 3, 1 << 20);
    List<LogEntry> seven = new ArrayList<>();
    for (long i = 1; i <= 7; i++) {
      seven.add(app(i));
    }
    w.enqueue(seven);
    w.start();
    awaitApplied(7);
    assertThat(sm.calls).containsExactly(List.of(1L, 2L, 3L), List.of(4L, 5L, 6L), List.of(7L));

    BatchMachine bytes = new BatchMachine();
    worker.close();
    // Payloads "p1".."p9" are 2 bytes: a 5-byte bound allows two per run.
    ApplyWorker w2 = worker(bytes, 100, 5);
    List<LogEntry> five = new ArrayList<>();
    for (long i = 1; i <= 5; i++) {
      five.add(app(i));
    }
    w2.enqueue(five);
    w2.start();
    awaitApplied(5);
    assertThat(bytes.calls).containsExactly(List.of(1L, 2L), List.of(3L, 4L), List.of(5L));
  }

  @Test
  void aTaskBetweenBatchesEndsTheDrainAndSeesEverythingBeforeItApplied() {
    BatchMachine sm = new BatchMachine();
    ApplyWorker w = worker(sm, 100, 1 << 20);
    List<Long> seenByTask = new CopyOnWriteArrayList<>();
    w.enqueue(List.of(app(1), app(2)));
    w.enqueueTask(() -> seenByTask.add(w.appliedIndex()));
    w.enqueue(List.of(app(3), app(4)));
    w.start();
    awaitApplied(4);
    assertThat(seenByTask).containsExactly(2L);
    assertThat(sm.calls).containsExactly(List.of(1L, 2L), List.of(3L, 4L));
  }

  @Test
  void entriesAtOrBelowTheDurableIndexAreSkippedAndARunStartsAfterThem() {
    BatchMachine sm = new BatchMachine();
    sm.lastApplied = 3;
    ApplyWorker w = worker(sm, 100, 1 << 20);
    w.enqueue(List.of(app(1), app(2), app(3), app(4), app(5)));
    w.start();
    awaitApplied(5);
    assertThat(sm.calls).containsExactly(List.of(4L, 5L));
    assertThat(w.backlogBytes()).isZero();
  }

  @Test
  void aGapIsFatalAndNothingAfterItIsApplied() throws Exception {
    BatchMachine sm = new BatchMachine();
    ApplyWorker w = worker(sm, 100, 1 << 20);
    w.enqueue(List.of(app(1), app(2)));
    w.enqueue(List.of(app(4), app(5)));
    w.start();
    Throwable t = fatal.get(10, TimeUnit.SECONDS);
    assertThat(t).hasMessageContaining("apply gap");
    assertThat(sm.calls).isEmpty();
    assertThat(w.appliedIndex()).isZero();
  }

  @Test
  void aFailureMidBatchIsFatalAndCompletesNoFutureOfThatBatch() throws Exception {
    BatchMachine sm = new BatchMachine();
    ApplyWorker w = worker(sm, 100, 1 << 20);
    propose(1, 2, 3, 4);
    w.enqueue(List.of(app(1), noop(2)));
    w.start();
    awaitApplied(2);
    assertThat(futures.get(1L).get(5, TimeUnit.SECONDS).result()).isEqualTo("r1");
    sm.failOnBatch = new IllegalStateException("disk on fire");
    w.enqueue(List.of(app(3), app(4)));
    assertThat(fatal.get(10, TimeUnit.SECONDS)).hasMessage("disk on fire");
    assertThat(futures.get(3L)).isNotDone();
    assertThat(futures.get(4L)).isNotDone();
    assertThat(w.appliedIndex()).isEqualTo(2);
    assertThat(listened).containsExactly(1L, 2L);
    assertThat(registry.size()).isEqualTo(2);
  }

  @Test
  void aResultCountThatDoesNotMatchTheBatchIsFatal() throws Exception {
    BatchMachine sm = new BatchMachine();
    sm.dropOneResult = 1;
    ApplyWorker w = worker(sm, 100, 1 << 20);
    propose(1, 2);
    w.enqueue(List.of(app(1), app(2)));
    w.start();
    assertThat(fatal.get(10, TimeUnit.SECONDS)).hasMessageContaining("1 results for a batch of 2");
    assertThat(futures.get(1L)).isNotDone();
    assertThat(w.appliedIndex()).isZero();
  }

  @Test
  void theDefaultApplyBatchAppliesEachEntryInOrder() throws Exception {
    RecordingStateMachine sm = new RecordingStateMachine();
    List<Object> results = sm.applyBatch(List.of(
        new CommittedEntry(1, 1, new byte[] {1}), new CommittedEntry(2, 1, new byte[] {2})));
    assertThat(results).containsExactly("ok-1", "ok-2");
    assertThat(sm.applied()).extracting(RecordingStateMachine.Applied::index)
        .containsExactly(1L, 2L);
  }
}
