package io.graft.raft.runtime;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.MetaStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The persist step of each Ready, split like etcd-io/raft's asynchronous storage writes: the owner
 * thread writes (truncates a conflicting suffix, appends: page cache only) and queues a {@link
 * Job}; the sync side, on {@code syncExecutor}, saves the hard state and forces the log, then
 * marks the job done and wakes the owner, who sends the Ready's messagesAfterPersist and advances
 * the machine ({@link ReadyHandler#finishDurable}). The owner keeps stepping messages meanwhile.
 *
 * <p>Jobs finish in the order they were written: the sync side takes every job queued since its
 * last round as one group (one fsync for all: group commit across Readies) and the owner takes
 * finished jobs from the head of its queue only. A job with nothing to make durable is done at
 * once, but still waits behind earlier ones. Before an operation that must not race a running
 * fsync (truncation, compaction, snapshot reset, close) the owner calls {@link #awaitIdle}, which
 * waits for the running group and finishes the queued ones on the calling thread.
 *
 * <p>The commit index is only a hint (recoverable from a quorum): a change of it alone is saved
 * at most once a second, after the group's jobs are done, so it never delays a write and is never
 * fsynced on the owner thread. Term and vote are saved before the log is forced, and the Ready's
 * messages (votes) leave only after both. Any failure on the sync side is fatal ({@code
 * onFatal}); on the owner it propagates and stops the node.
 */
final class DurableWriter {

  /**
   * A commit-index-only hard state change is saved at most this often (the hint is recoverable).
   */
  private static final long COMMIT_HINT_SAVE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Points between the steps of a write, for a test that crashes a member there. */
  enum Step {
    /** On the sync side, before the hard state is saved. */
    BEFORE_SAVE,
    /** On the sync side, after the hard state was saved, before the log is forced. */
    BEFORE_FORCE,
    /** On the sync side, after the log was forced, before the jobs are marked done. */
    AFTER_FORCE
  }

  /** One Ready's persist step. */
  static final class Job {
    final Ready ready;
    /** Entries written; 0 if none. */
    final int entries;
    /** Index of the last entry written, or 0. */
    final long lastIndex;

    LogStore.Sync sync;
    HardState save;
    /** The save is a commit hint only: done after the job, off the critical path. */
    boolean saveAfterDone;
    private volatile boolean done;
    private volatile long doneNanos;

    Job(Ready ready) {
      this.ready = ready;
      List<LogEntry> written = ready.entriesToPersist();
      this.entries = written.size();
      this.lastIndex = written.isEmpty() ? 0 : written.get(written.size() - 1).index();
    }

    boolean done() {
      return done;
    }

    /** When the job became durable (the writer's clock). */
    long doneNanos() {
      return doneNanos;
    }

    void markDone(long nanos) {
      doneNanos = nanos;
      done = true;
    }
  }

  private final LogStore log;
  private final MetaStore meta;
  private final ProposalRegistry registry;
  private final RaftMetricsRecorder metrics;
  private final Executor syncExecutor;
  private final LongSupplier clock;
  private final Runnable wakeOwner;
  private final Consumer<Throwable> onFatal;
  /**
   * True if the owner has nothing else to do right now; then a write with nothing queued before it
   * is made durable on the owner itself (no hand-off to the sync thread and back: two thread
   * wake-ups saved when the node is idle or lightly loaded). Null: always hand off.
   */
  private BooleanSupplier ownerIdle;
  /** The writer's own sync thread, stopped by {@link #close}; null if the executor is not ours. */
  private ExecutorService ownThread;
  private volatile Consumer<Step> hook;

  // Owner thread.
  private final ArrayDeque<Job> inFlight = new ArrayDeque<>();
  /** The last hard state handed to the sync side to save (or loaded). */
  private HardState handed;
  private long commitHintHandedNanos;

  // Shared between the owner and the sync side.
  private final Logger logger;
  private final ConcurrentLinkedQueue<Job> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  /** Held while a group is made durable, on whichever thread does it. */
  private final ReentrantLock syncLock = new ReentrantLock();

  DurableWriter(
      Logger logger,
      LogStore log,
      MetaStore meta,
      ProposalRegistry registry,
      RaftMetricsRecorder metrics,
      Executor syncExecutor,
      LongSupplier clock,
      Runnable wakeOwner,
      Consumer<Throwable> onFatal) {
    this.logger = logger;
    this.log = log;
    this.meta = meta;
    this.registry = registry;
    this.metrics = metrics;
    this.syncExecutor = syncExecutor;
    this.clock = clock;
    this.wakeOwner = wakeOwner;
    this.onFatal = onFatal;
  }

  /**
   * A writer whose sync side runs on a thread of its own named {@code syncThreadName} (stopped by
   * {@link #close}), or on the owner thread itself if that name is null.
   */
  static DurableWriter create(
      RaftLogging logging,
      LogStore log,
      MetaStore meta,
      ProposalRegistry registry,
      RaftMetricsRecorder metrics,
      String syncThreadName,
      Runnable wakeOwner,
      Consumer<Throwable> onFatal) {
    ExecutorService thread =
        syncThreadName == null
            ? null
            : Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, syncThreadName);
                  t.setDaemon(true);
                  return t;
                });
    DurableWriter writer =
        new DurableWriter(
            logging.logger(DurableWriter.class),
            log,
            meta,
            registry,
            metrics,
            thread != null ? thread : Runnable::run,
            System::nanoTime,
            wakeOwner,
            onFatal);
    writer.ownThread = thread;
    return writer;
  }

  /** See {@link #ownerIdle}: sync on the owner when it would otherwise wait for the sync thread. */
  void syncInlineWhenIdle(BooleanSupplier ownerIdle) {
    this.ownerIdle = ownerIdle;
  }

  /** Test seam: called at each {@link Step} (it may throw, e.g. to crash a simulated member). */
  void hook(Consumer<Step> hook) {
    this.hook = hook;
  }

  /** Loads the durable hard state at start. */
  HardState load() {
    handed = meta.load();
    commitHintHandedNanos = clock.getAsLong();
    return handed;
  }

  /** True if writing {@code ready} truncates a conflicting suffix of the log first. */
  boolean truncates(Ready ready) {
    List<LogEntry> entries = ready.entriesToPersist();
    return !entries.isEmpty() && entries.get(0).index() <= log.lastIndex();
  }

  /**
   * Owner: writes {@code ready}'s entries and queues its durability. Returns the job; it is done
   * once {@link #pollDone} hands it back.
   */
  Job write(Ready ready) {
    Job job = new Job(ready);
    List<LogEntry> entries = ready.entriesToPersist();
    if (!entries.isEmpty()) {
      long firstIndex = entries.get(0).index();
      if (firstIndex <= log.lastIndex()) {
        // §5.3: a conflicting suffix is replaced; the protocol never hands us a committed index
        // here. Truncation must not race a running fsync.
        awaitIdle();
        log.truncateSuffix(firstIndex);
      }
      registry.persisting(entries);
      log.append(entries);
    }
    chooseHardStateSave(job, ready.hardState());
    if (ready.mustSync()) {
      long started = clock.getAsLong();
      LogStore.Sync sync = log.startSync();
      if (sync != LogStore.Sync.DONE) {
        job.sync = sync;
      } else if (job.entries > 0) {
        metrics.fsynced(clock.getAsLong() - started, job.entries); // a store that synced at once
      }
    }
    inFlight.addLast(job);
    if (job.sync == null && job.save == null) {
      job.markDone(clock.getAsLong()); // nothing to make durable; it still waits its turn
    } else if (ownerIdle != null
        && inFlight.size() == 1
        && !drainScheduled.get()
        && ownerIdle.getAsBoolean()) {
      // Nothing else to do and nothing in flight: sync here, as the hand-off would only add two
      // thread wake-ups. Whatever arrives meanwhile is handled right after.
      syncLock.lock();
      try {
        makeDurable(List.of(job));
      } finally {
        syncLock.unlock();
      }
    } else {
      submit(job);
    }
    return job;
  }

  /**
   * Term and vote must be durable before any message that depends on them (Figure 2: "updated on
   * stable storage before responding to RPCs"); the commit index is only a hint, so a change of it
   * alone is saved at most once a second, after the job.
   */
  private void chooseHardStateSave(Job job, HardState next) {
    if (next == null) {
      return;
    }
    boolean termOrVote =
        next.term() != handed.term() || !Objects.equals(next.votedFor(), handed.votedFor());
    long now = clock.getAsLong();
    boolean commitDue =
        next.commitIndex() != handed.commitIndex()
            && now - commitHintHandedNanos >= COMMIT_HINT_SAVE_NANOS;
    if (termOrVote || commitDue) {
      job.save = next;
      job.saveAfterDone = !termOrVote;
      handed = next;
      commitHintHandedNanos = now;
    }
  }

  private void submit(Job job) {
    queued.add(job);
    if (drainScheduled.compareAndSet(false, true)) {
      syncExecutor.execute(this::drainTask);
    }
  }

  /** The sync side: makes every queued job durable, a group at a time, until none is left. */
  private void drainTask() {
    syncLock.lock();
    try {
      while (true) {
        List<Job> group = takeQueued();
        if (group.isEmpty()) {
          drainScheduled.set(false);
          // A job queued after the poll but before the flag was cleared would be stranded.
          if (queued.isEmpty() || !drainScheduled.compareAndSet(false, true)) {
            return;
          }
          continue;
        }
        makeDurable(group);
      }
    } catch (Throwable t) {
      onFatal.accept(t);
    } finally {
      syncLock.unlock();
    }
  }

  private List<Job> takeQueued() {
    List<Job> group = new ArrayList<>();
    Job j;
    while ((j = queued.poll()) != null) {
      group.add(j);
    }
    return group;
  }

  /**
   * One group: save the newest hard state (term/vote before the fsync), force the log once (the
   * newest started Sync covers every earlier write to the same segment; older ones find nothing
   * left to force), mark the jobs done, wake the owner, then save a commit-hint-only state.
   */
  private void makeDurable(List<Job> group) {
    HardState save = null;
    boolean saveBefore = false;
    long entries = 0;
    for (Job j : group) {
      if (j.save != null) {
        save = j.save;
        saveBefore |= !j.saveAfterDone;
      }
      entries += j.entries;
    }
    step(Step.BEFORE_SAVE);
    if (save != null && saveBefore) {
      meta.save(save);
    }
    step(Step.BEFORE_FORCE);
    long started = clock.getAsLong();
    boolean forced = false;
    for (int i = group.size() - 1; i >= 0; i--) {
      LogStore.Sync sync = group.get(i).sync;
      if (sync != null) {
        sync.force();
        forced = true;
      }
    }
    long done = clock.getAsLong();
    if (forced && entries > 0) {
      metrics.fsynced(done - started, entries);
    }
    step(Step.AFTER_FORCE);
    for (Job j : group) {
      j.markDone(done);
    }
    wakeOwner.run();
    if (save != null && !saveBefore) {
      meta.save(save);
    }
  }

  private void step(Step step) {
    Consumer<Step> h = hook;
    if (h != null) {
      h.accept(step);
    }
  }

  /** Owner: the oldest job if it is done (then removed), else null. Jobs come back in order. */
  Job pollDone() {
    Job head = inFlight.peekFirst();
    if (head == null || !head.done()) {
      return null;
    }
    return inFlight.removeFirst();
  }

  /** Owner: true if the oldest job is done. */
  boolean hasDone() {
    Job head = inFlight.peekFirst();
    return head != null && head.done();
  }

  /** Owner: jobs written and not yet handed back by {@link #pollDone}. */
  int inFlight() {
    return inFlight.size();
  }

  /**
   * Owner: waits for the group the sync side is running, then makes every queued job durable on
   * this thread. Afterwards no Sync is running and every written job is done (handed back by
   * {@link #pollDone} in order, as usual).
   */
  void awaitIdle() {
    syncLock.lock();
    try {
      List<Job> group = takeQueued();
      if (!group.isEmpty()) {
        makeDurable(group);
      }
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * At start, before the owner runs: saves {@code next} durably now (a seeded member's first hard
   * state must be on disk before anything else happens).
   */
  void saveNow(HardState next) {
    syncLock.lock();
    try {
      meta.save(next);
      handed = next;
      commitHintHandedNanos = clock.getAsLong();
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * Owner, at a clean stop after the sync side has stopped: saves {@code last} (the machine's hard
   * state, whose commit hint is capped at what is durable) if it differs from what was handed.
   */
  void saveOnClose(HardState last) {
    syncLock.lock();
    try {
      if (!last.equals(handed)) {
        meta.save(last);
        handed = last;
      }
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * Stops the own sync thread (after what it runs) and closes both stores, logging (not throwing)
   * failures: close must always finish.
   */
  void close(Object self) {
    if (ownThread != null) {
      ownThread.shutdown();
      try {
        if (!ownThread.awaitTermination(10, TimeUnit.SECONDS)) {
          logger.error("graft node {}: log sync thread did not stop within 10 s", self);
          ownThread.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      log.close();
    } catch (RuntimeException e) {
      logger.warn("graft node {}: closing the log failed", self, e);
    }
    try {
      meta.close();
    } catch (RuntimeException e) {
      logger.warn("graft node {}: closing the meta store failed", self, e);
    }
  }
}
