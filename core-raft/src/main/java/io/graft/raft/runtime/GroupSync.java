package io.graft.raft.runtime;

import io.graft.raft.protocol.HardState;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.MetaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The sync side of {@link DurableWriter}: on {@code syncExecutor} it takes every job queued since
 * its last round as one group and makes it durable with one fsync (group commit across Readies):
 * saves the newest hard state (term/vote before the fsync), forces the log once, marks the jobs
 * done, wakes the owner, then saves a commit-hint-only state. Any failure here is fatal ({@code
 * onFatal}). The owner may run a group itself ({@link #syncHere}, {@link #awaitIdle}); a lock
 * keeps groups one at a time, on whichever thread.
 */
final class GroupSync {
  /** Points between the steps of a group, for a test that crashes a member there. */
  enum Step {
    /** Before the hard state is saved. */
    BEFORE_SAVE,
    /** After the hard state was saved, before the log is forced. */
    BEFORE_FORCE,
    /** After the log was forced, before the jobs are marked done. */
    AFTER_FORCE
  }

  private final Logger logger;
  private final MetaStore meta;
  private final RaftMetricsRecorder metrics;
  private final Executor syncExecutor;
  /** The sync thread when it is ours (stopped by {@link #stop}), else null. */
  private final ExecutorService ownThread;
  private final LongSupplier clock;
  private final Runnable wakeOwner;
  private final Consumer<Throwable> onFatal;
  private final ConcurrentLinkedQueue<WriteJob> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  /** Held while a group is made durable, on whichever thread does it. */
  private final ReentrantLock syncLock = new ReentrantLock();
  private volatile Consumer<Step> hook;

  /**
   * @param syncExecutor runs the sync side; {@code ownThread} if that is ours to stop
   * @param wakeOwner called once a group's jobs are done
   */
  GroupSync(Logger logger, MetaStore meta, RaftMetricsRecorder metrics, Executor syncExecutor,
      ExecutorService ownThread, LongSupplier clock, Runnable wakeOwner,
      Consumer<Throwable> onFatal) {
    this.logger = logger;
    this.meta = meta;
    this.metrics = metrics;
    this.syncExecutor = syncExecutor;
    this.ownThread = ownThread;
    this.clock = clock;
    this.wakeOwner = wakeOwner;
    this.onFatal = onFatal;
  }

  /** Test seam: called at each {@link Step} (it may throw, e.g. to crash a simulated member). */
  void hook(Consumer<Step> hook) {
    this.hook = hook;
  }

  /** True while a drain of the sync side is scheduled or running. */
  boolean busy() {
    return drainScheduled.get();
  }

  /** Queues {@code job} for the sync side. */
  void submit(WriteJob job) {
    queued.add(job);
    if (drainScheduled.compareAndSet(false, true)) {
      syncExecutor.execute(this::drainTask);
    }
  }

  /** Owner: makes {@code job} durable on this thread (nothing else was in flight). */
  void syncHere(WriteJob job) {
    syncLock.lock();
    try {
      makeDurable(List.of(job));
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * Owner: waits for the group the sync side is running, then makes every queued job durable on
   * this thread. Afterwards no Sync is running and every written job is done.
   */
  void awaitIdle() {
    syncLock.lock();
    try {
      List<WriteJob> group = takeQueued();
      if (!group.isEmpty()) {
        makeDurable(group);
      }
    } finally {
      syncLock.unlock();
    }
  }

  /** Saves {@code state} now, with no group running (at start or at a clean stop). */
  void saveNow(HardState state) {
    syncLock.lock();
    try {
      meta.save(state);
    } finally {
      syncLock.unlock();
    }
  }

  /** The sync side: makes every queued job durable, a group at a time, until none is left. */
  private void drainTask() {
    syncLock.lock();
    try {
      while (true) {
        List<WriteJob> group = takeQueued();
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

  private List<WriteJob> takeQueued() {
    List<WriteJob> group = new ArrayList<>();
    WriteJob j;
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
  private void makeDurable(List<WriteJob> group) {
    HardState save = null;
    boolean saveBefore = false;
    long entries = 0;
    for (WriteJob j : group) {
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
    for (WriteJob j : group) {
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

  /** Stops the own sync thread after what it runs (bounded), logging (not throwing) a timeout. */
  void stop(Object self) {
    if (ownThread == null) {
      return;
    }
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
}
