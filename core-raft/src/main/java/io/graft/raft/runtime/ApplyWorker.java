package io.graft.raft.runtime;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.StateMachine;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
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
 */
final class ApplyWorker implements AutoCloseable {
  private static final List<LogEntry> STOP = List.of();

  private final StateMachine stateMachine;
  private final ProposalRegistry registry;
  private final Consumer<Throwable> onFatal;
  /** Batches of entries ({@code List<LogEntry>}) and tasks ({@code Runnable}), in order. */
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong backlogBytes = new AtomicLong();
  private volatile long appliedIndex;
  private volatile boolean stopping;
  /** Told after each applied entry (snapshot policy); null without snapshots. */
  private volatile Consumer<LogEntry> afterApply;

  ApplyWorker(
      String name,
      StateMachine stateMachine,
      ProposalRegistry registry,
      Consumer<Throwable> onFatal) {
    this.stateMachine = stateMachine;
    this.registry = registry;
    this.onFatal = onFatal;
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
        for (LogEntry e : batch) {
          if (stopping) {
            return;
          }
          applyOne(e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // §5 of StateMachine's contract: an apply failure must stop the node rather than diverge.
      onFatal.accept(t);
    }
  }

  private void applyOne(LogEntry e) throws Exception {
    backlogBytes.addAndGet(-e.sizeBytes());
    long applied = appliedIndex;
    if (e.index() <= applied) {
      return;
    }
    if (e.index() != applied + 1) {
      throw new AssertionError("apply gap: applied " + applied + ", next entry " + e);
    }
    if (e.type() == EntryType.APPLICATION) {
      Object result = stateMachine.apply(new CommittedEntry(e.index(), e.term(), e.payload()));
      appliedIndex = e.index();
      registry.applied(e.index(), e.term(), result);
    } else {
      stateMachine.onInternalEntry(e.index(), e.term());
      appliedIndex = e.index();
      registry.applied(e.index(), e.term(), null);
    }
    Consumer<LogEntry> listener = afterApply;
    if (listener != null) {
      listener.accept(e);
    }
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
