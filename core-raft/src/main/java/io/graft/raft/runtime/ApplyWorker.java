package io.graft.raft.runtime;

import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.StateMachine;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.LogEntry;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
  private final BlockingQueue<List<LogEntry>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile long appliedIndex;
  private volatile boolean stopping;

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
      queue.add(entries);
    }
  }

  /** Highest index applied (or skipped as already applied). */
  long appliedIndex() {
    return appliedIndex;
  }

  private void run() {
    try {
      while (!stopping) {
        List<LogEntry> batch = queue.take();
        if (batch == STOP) {
          return;
        }
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
