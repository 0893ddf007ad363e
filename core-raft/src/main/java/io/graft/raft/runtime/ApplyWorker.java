package io.graft.raft.runtime;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.StateMachine;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Applies committed entries on its own thread, in strict log order, so a slow state machine never
 * delays heartbeats or fsyncs on the owner thread. Entries at or below the state machine's durable
 * applied index (read once at start) are skipped: after a restart the protocol hands out again
 * every committed entry after the snapshot index.
 *
 * <p>Group commit: the worker drains every batch of committed entries already queued (bounded by
 * {@code maxBatchEntries} and {@code maxBatchBytes}) and hands each run of consecutive APPLICATION
 * entries to {@link StateMachine#applyBatch} in one call; an internal entry (leader no-op,
 * configuration) ends the run and is applied on its own, so log order is kept exactly. Only after a
 * run returned (it is durable) does the applied index move to its last entry, do the proposers'
 * futures complete, and is the snapshot policy told, once, with the run's last entry: a snapshot
 * is never taken in the middle of a run (thesis §5.1: a snapshot covers a prefix of applied
 * entries).
 */
final class ApplyWorker implements AutoCloseable {
  /** Default bound on the entries handed to one {@link StateMachine#applyBatch} call. */
  static final int DEFAULT_MAX_BATCH_ENTRIES = 256;
  /** Default bound on the payload bytes of one run (a single larger entry still goes alone). */
  static final long DEFAULT_MAX_BATCH_BYTES = 8L << 20;
  private static final Object STOP = new Object();

  private final StateMachine stateMachine;
  private final ProposalRegistry registry;
  private final Consumer<Throwable> onFatal;
  private final int maxBatchEntries;
  private final long maxBatchBytes;
  /** Batches of entries ({@code List<LogEntry>}) and tasks ({@code Runnable}), in order. */
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong backlogBytes = new AtomicLong();
  private volatile long appliedIndex;
  /** Payload bytes of every entry applied since this worker started (apply thread writes). */
  private volatile long appliedPayloadBytes;
  private volatile boolean stopping;
  /**
   * Told after each applied internal entry and after each applied run of application entries
   * (with the run's last entry); null without snapshots.
   */
  private volatile Consumer<LogEntry> afterApply;

  ApplyWorker(
      String name,
      StateMachine stateMachine,
      ProposalRegistry registry,
      Consumer<Throwable> onFatal) {
    this(name, stateMachine, registry, onFatal, DEFAULT_MAX_BATCH_ENTRIES,
        DEFAULT_MAX_BATCH_BYTES);
  }

  ApplyWorker(
      String name,
      StateMachine stateMachine,
      ProposalRegistry registry,
      Consumer<Throwable> onFatal,
      int maxBatchEntries,
      long maxBatchBytes) {
    if (maxBatchEntries < 1 || maxBatchBytes < 1) {
      throw new IllegalArgumentException(
          "batch bounds must be >= 1: " + maxBatchEntries + " entries, " + maxBatchBytes + " B");
    }
    this.stateMachine = stateMachine;
    this.registry = registry;
    this.onFatal = onFatal;
    this.maxBatchEntries = maxBatchEntries;
    this.maxBatchBytes = maxBatchBytes;
    this.appliedIndex = stateMachine.lastAppliedIndex();
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Hands committed entries over (owner thread); they must follow the previous ones densely. */
  void enqueue(List<LogEntry> entries) {
    if (!entries.isEmpty()) {
      long bytes = 0;
      for (LogEntry e : entries) {
        bytes += e.sizeBytes();
      }
      backlogBytes.addAndGet(bytes);
      queue.add(entries);
    }
  }

  /**
   * Runs {@code task} on the apply thread after every entry handed over before it (a snapshot
   * install: no apply runs concurrently, SnapshotSupport's contract).
   */
  void enqueueTask(Runnable task) {
    queue.add(task);
  }

  void afterApply(Consumer<LogEntry> listener) {
    this.afterApply = listener;
  }

  /** After a snapshot install on the apply thread: entries up to {@code index} are in it. */
  void advanceApplied(long index) {
    if (index > appliedIndex) {
      appliedIndex = index;
    }
  }

  /** Bytes handed over but not yet applied (the leader rejects proposals above a bound). */
  long backlogBytes() {
    return backlogBytes.get();
  }

  /** Payload bytes of the entries applied since start (the snapshot policy's size trigger). */
  long appliedPayloadBytes() {
    return appliedPayloadBytes;
  }

  /** Highest index applied (or skipped as already applied). */
  long appliedIndex() {
    return appliedIndex;
  }

  private void run() {
    try {
      while (!stopping) {
        Object item = queue.take();
        if (item == STOP) {
          return;
        }
        if (item instanceof Runnable task) {
          task.run();
          continue;
        }
        @SuppressWarnings("unchecked")
        List<LogEntry> batch = (List<LogEntry>) item;
        applyAll(drainAfter(batch));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // §5 of StateMachine's contract: an apply failure must stop the node rather than diverge.
      onFatal.accept(t);
    }
  }

  /**
   * {@code first} plus the entry batches queued right behind it (committed and waiting), up to the
   * bounds; stops at a task, which must run between the entries before and after it.
   */
  private List<LogEntry> drainAfter(List<LogEntry> first) {
    if (first.size() >= maxBatchEntries || !(queue.peek() instanceof List<?>)) {
      return first;
    }
    List<LogEntry> all = new ArrayList<>(first);
    long bytes = payloadBytes(first);
    while (all.size() < maxBatchEntries && bytes < maxBatchBytes
        && queue.peek() instanceof List<?>) {
      // Only this thread takes from the queue, so the peeked batch is the one polled.
      @SuppressWarnings("unchecked")
      List<LogEntry> next = (List<LogEntry>) queue.poll();
      all.addAll(next);
      bytes += payloadBytes(next);
    }
    return all;
  }

  private void applyAll(List<LogEntry> entries) throws Exception {
    int i = 0;
    while (i < entries.size()) {
      if (stopping) {
        return;
      }
      LogEntry e = entries.get(i);
      if (e.index() <= appliedIndex) {
        backlogBytes.addAndGet(-e.sizeBytes());
        i++;
        continue;
      }
      if (e.type() != EntryType.APPLICATION) {
        applyInternal(e);
        i++;
        continue;
      }
      int end = runEnd(entries, i);
      applyRun(entries.subList(i, end));
      i = end;
    }
  }

  /** End (exclusive) of the run of APPLICATION entries starting at {@code from}, bounded. */
  private int runEnd(List<LogEntry> entries, int from) {
    int end = from;
    long bytes = 0;
    while (end < entries.size()
        && entries.get(end).type() == EntryType.APPLICATION
        && end - from < maxBatchEntries
        && (end == from || bytes + entries.get(end).payload().length <= maxBatchBytes)) {
      bytes += entries.get(end).payload().length;
      end++;
    }
    return end;
  }

  private void applyRun(List<LogEntry> run) throws Exception {
    List<CommittedEntry> committed = new ArrayList<>(run.size());
    long expected = appliedIndex + 1;
    long bytes = 0;
    for (LogEntry e : run) {
      checkNext(expected, e);
      committed.add(new CommittedEntry(e.index(), e.term(), e.payload()));
      bytes += e.sizeBytes();
      expected++;
    }
    List<Object> results = stateMachine.applyBatch(committed);
    // Counted as backlog until applied, so the leader's apply-backlog bound sees a stuck batch.
    backlogBytes.addAndGet(-bytes);
    if (results == null || results.size() != run.size()) {
      throw new IllegalStateException("state machine returned "
          + (results == null ? "null" : results.size() + " results") + " for a batch of "
          + run.size() + " entries (" + run.get(0).index() + ".." + (expected - 1) + ")");
    }
    LogEntry last = run.get(run.size() - 1);
    appliedPayloadBytes += payloadBytes(run);
    appliedIndex = last.index();
    for (int k = 0; k < run.size(); k++) {
      LogEntry e = run.get(k);
      registry.applied(e.index(), e.term(), results.get(k));
    }
    notifyApplied(last);
  }

  private void applyInternal(LogEntry e) {
    backlogBytes.addAndGet(-e.sizeBytes());
    checkNext(appliedIndex + 1, e);
    stateMachine.onInternalEntry(e.index(), e.term());
    appliedIndex = e.index();
    registry.applied(e.index(), e.term(), null);
    notifyApplied(e);
  }

  private static void checkNext(long expected, LogEntry e) {
    if (e.index() != expected) {
      throw new AssertionError("apply gap: applied " + (expected - 1) + ", next entry " + e);
    }
  }

  private void notifyApplied(LogEntry last) {
    Consumer<LogEntry> listener = afterApply;
    if (listener != null) {
      listener.accept(last);
    }
  }

  private static long payloadBytes(List<LogEntry> entries) {
    long bytes = 0;
    for (LogEntry e : entries) {
      bytes += e.payload().length;
    }
    return bytes;
  }

  /** Stops after the entry being applied; pending entries are left (they are in the log). */
  @Override
  public void close() {
    stopping = true;
    queue.add(STOP);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        thread.interrupt();
      }
    }
  }
}
