package io.graft.raft.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Where a node's owner runs its batches ({@link BatchHandler}): a thread of its own that waits on
 * the inbox, or tasks on the transport's event loop, one turn per signal from the inbox (from the
 * loop itself, a message just read, without a wake-up; again at once while work is left, as the
 * thread's loop would). Either way one thread at a time, the same for the node's life, until it
 * stops: the node closes or fails. Its last act ({@code lastAct}) runs on it, once.
 */
final class Owner {
  private final Logger logger;
  private final Object self;
  private final BatchHandler batches;
  private final Inbox inbox;
  private final Supplier<ConsensusMachine> machine;
  /** True while the node runs and has not failed. */
  private final BooleanSupplier running;
  private final Consumer<Throwable> fail;
  private final Runnable lastAct;
  /** The own thread, or null on the transport's loop. */
  private final Thread thread;
  /** The transport's event loop, or null with a thread of its own. */
  private final Executor loop;
  private final AtomicBoolean turnScheduled = new AtomicBoolean();
  /** Counted down once the owner stopped for good (its last act ran). */
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * @param loop the transport's event loop to run on, or null for a thread of its own named
   *     {@code graft-raft-<self>}
   */
  Owner(Logger logger, Object self, Executor loop, BatchHandler batches, Inbox inbox,
      Supplier<ConsensusMachine> machine, BooleanSupplier running,
      Consumer<Throwable> fail, Runnable lastAct) {
    this.logger = logger;
    this.self = self;
    this.batches = batches;
    this.inbox = inbox;
    this.machine = machine;
    this.running = running;
    this.fail = fail;
    this.lastAct = lastAct;
    this.loop = loop;
    if (loop == null) {
      this.thread = new Thread(this::runLoop, "graft-raft-" + self);
      this.thread.setDaemon(true);
    } else {
      this.thread = null;
    }
  }

  /** True when the owner runs on the transport's event loop. */
  boolean onLoop() {
    return loop != null;
  }

  /** Starts it; on the loop, what was offered before waits for its first turn, scheduled now. */
  void start() {
    if (loop == null) {
      thread.start();
    } else {
      inbox.signalOwner(this::scheduleTurn);
      scheduleTurn();
    }
  }

  /** True once its last act ran. */
  boolean hasStopped() {
    return stopped.getCount() == 0;
  }

  /**
   * Waits (bounded) for it to stop after {@code running} turned false and the inbox was woken; a
   * thread of its own that does not stop within 10 s is interrupted.
   */
  void awaitStop() {
    try {
      if (loop != null) {
        if (!stopped.await(10, TimeUnit.SECONDS)) {
          logger.error("graft node {}: owner did not stop within 10 s on the transport's event"
              + " loop", self);
        }
        return;
      }
      thread.join(TimeUnit.SECONDS.toMillis(10));
      if (thread.isAlive()) {
        logger.error("graft node {}: owner thread did not stop within 10 s; interrupting", self);
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void runLoop() {
    try {
      while (running.getAsBoolean()) {
        batches.drainAndProcess(machine.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (running.getAsBoolean()) {
        fail.accept(e); // not when interrupted by close
      }
    } catch (Throwable t) {
      fail.accept(t);
    }
    stop();
  }

  private void stop() {
    lastAct.run();
    stopped.countDown();
  }

  /** Schedules one turn on the loop unless one is pending (the inbox calls it on every offer). */
  private void scheduleTurn() {
    if (turnScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this::turn);
      } catch (RejectedExecutionException e) {
        turnScheduled.set(false); // the transport is shut down: the node is closing
      }
    }
  }

  /** One batch on the loop, never waiting; again at once while work is left. */
  private void turn() {
    turnScheduled.set(false);
    if (hasStopped()) {
      return;
    }
    if (!running.getAsBoolean()) {
      stop();
      return;
    }
    try {
      batches.processNow(machine.get());
    } catch (Throwable t) {
      fail.accept(t);
      stop();
      return;
    }
    if (batches.hasWork(machine.get())) {
      scheduleTurn();
    }
  }
}
