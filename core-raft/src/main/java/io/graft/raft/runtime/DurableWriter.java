package io.graft.raft.runtime;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.HardState;
import io.graft.raft.protocol.Ready;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.MetaStore;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The persist step of each Ready, split like etcd-io/raft's asynchronous storage writes: the owner
 * thread writes (truncates a conflicting suffix, appends: page cache only) and queues a {@link
 * WriteJob}; the sync side ({@link GroupSync}) saves the hard state and forces the log, then
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
 * at most once a second ({@link HardStateSaves}), after the group's jobs are done, so it never
 * delays a write and is never fsynced on the owner thread. Term and vote are saved before the
 * log is forced, and the Ready's messages (votes) leave only after both. Any failure on the sync
 * side is fatal ({@code onFatal}); on the owner it propagates and stops the node.
 */
final class DurableWriter {
  private final Logger logger;
  private final LogStore log;
  private final MetaStore meta;
  private final ProposalRegistry registry;
  private final RaftMetricsRecorder metrics;
  private final LongSupplier clock;
  private final GroupSync sync;
  private final HardStateSaves saves;
  /**
   * True if the owner has nothing else to do right now; then a write with nothing queued before it
   * is made durable on the owner itself (no hand-off to the sync thread and back: two thread
   * wake-ups saved when the node is idle or lightly loaded). Null: always hand off.
   */
  private final BooleanSupplier ownerIdle;

  // Owner thread.
  private final ArrayDeque<WriteJob> inFlight = new ArrayDeque<>();

  /**
   * @param syncExecutor runs the sync side ({@link GroupSync}); {@code ownThread} if it is this
   *     writer's to stop at {@link #close}, else null
   * @param ownerIdle see {@link #ownerIdle}; null: always hand off
   */
  DurableWriter(
      Logger logger,
      LogStore log,
      MetaStore meta,
      ProposalRegistry registry,
      RaftMetricsRecorder metrics,
      Executor syncExecutor,
      ExecutorService ownThread,
      LongSupplier clock,
      BooleanSupplier ownerIdle,
      Runnable wakeOwner,
      Consumer<Throwable> onFatal) {
    this.logger = logger;
    this.log = log;
    this.meta = meta;
    this.registry = registry;
    this.metrics = metrics;
    this.clock = clock;
    this.ownerIdle = ownerIdle;
    this.sync = new GroupSync(
        logger, meta, metrics, syncExecutor, ownThread, clock, wakeOwner, onFatal);
    this.saves = new HardStateSaves(clock);
  }

  /**
   * A writer whose sync side runs on a thread of its own named {@code syncThreadName} (stopped by
   * {@link #close}), or on the owner thread itself if that name is null; with {@code ownerIdle}
   * non-null, an idle owner syncs a lone write itself.
   */
  static DurableWriter create(
      RaftLogging logging,
      LogStore log,
      MetaStore meta,
      ProposalRegistry registry,
      RaftMetricsRecorder metrics,
      String syncThreadName,
      BooleanSupplier ownerIdle,
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
    return new DurableWriter(
        logging.logger(DurableWriter.class),
        log,
        meta,
        registry,
        metrics,
        thread != null ? thread : Runnable::run,
        thread,
        System::nanoTime,
        ownerIdle,
        wakeOwner,
        onFatal);
  }

  /** Test seam: called at each step of a group (it may throw, e.g. to crash a simulated member). */
  void hook(Consumer<GroupSync.Step> hook) {
    sync.hook(hook);
  }

  /** Loads the durable hard state at start. */
  HardState load() {
    HardState loaded = meta.load();
    saves.durable(loaded);
    return loaded;
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
  WriteJob write(Ready ready) {
    WriteJob job = new WriteJob(ready);
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
    saves.choose(job, ready.hardState());
    if (ready.mustSync()) {
      long started = clock.getAsLong();
      LogStore.Sync pending = log.startSync();
      if (pending != LogStore.Sync.DONE) {
        job.sync = pending;
      } else if (job.entries > 0) {
        metrics.fsynced(clock.getAsLong() - started, job.entries); // a store that synced at once
      }
    }
    inFlight.addLast(job);
    if (job.sync == null && job.save == null) {
      job.markDone(clock.getAsLong()); // nothing to make durable; it still waits its turn
    } else if (ownerIdle != null
        && inFlight.size() == 1
        && !sync.busy()
        && ownerIdle.getAsBoolean()) {
      // Nothing else to do and nothing in flight: sync here, as the hand-off would only add two
      // thread wake-ups. Whatever arrives meanwhile is handled right after.
      sync.syncHere(job);
    } else {
      sync.submit(job);
    }
    return job;
  }

  /** Owner: the oldest job if it is done (then removed), else null. Jobs come back in order. */
  WriteJob pollDone() {
    WriteJob head = inFlight.peekFirst();
    if (head == null || !head.done()) {
      return null;
    }
    return inFlight.removeFirst();
  }

  /** Owner: true if the oldest job is done. */
  boolean hasDone() {
    WriteJob head = inFlight.peekFirst();
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
    sync.awaitIdle();
  }

  /**
   * At start, before the owner runs: saves {@code next} durably now (a seeded member's first hard
   * state must be on disk before anything else happens).
   */
  void saveNow(HardState next) {
    sync.saveNow(next);
    saves.durable(next);
  }

  /**
   * Owner, at a clean stop after the sync side has stopped: saves {@code last} (the machine's hard
   * state, whose commit hint is capped at what is durable) if it differs from what was handed.
   */
  void saveOnClose(HardState last) {
    if (saves.differsAtClose(last)) {
      sync.saveNow(last);
    }
  }

  /**
   * Stops the own sync thread (after what it runs) and closes both stores, logging (not throwing)
   * failures: close must always finish.
   */
  void close(Object self) {
    sync.stop(self);
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
