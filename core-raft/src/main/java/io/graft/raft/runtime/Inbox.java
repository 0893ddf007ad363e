package io.graft.raft.runtime;

import io.graft.raft.message.RaftMessage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded multi-producer, single-consumer queue in front of the owner thread (docs/STYLE.md
 * §3.3). Producers never block: a full inbox drops inbound messages (Raft tolerates loss) and
 * rejects proposals (back-pressure). Ticks are a counter, not queue items, so they are never lost
 * and never take capacity from proposals. Each inbound message is stamped with the tick count at
 * its arrival, so after a stall (a long fsync) the owner can replay ticks and messages in the order
 * they happened: a heartbeat that arrived during the stall resets the election timer before the
 * ticks that followed it, not before all of them (which would start an election against a live
 * leader).
 */
final class Inbox {
  private final BlockingQueue<Event> queue;
  /** Ticks posted since start (ticker thread); {@code ticksTaken} is the owner's position. */
  private final AtomicLong ticksPosted = new AtomicLong();
  private long ticksTaken;
  private final AtomicLong droppedMessages = new AtomicLong();

  /**
   * Called after every offer when the owner runs as tasks on an executor instead of waiting in
   * {@link #drain} ({@link #signalOwner}); null while it has a thread of its own.
   */
  private volatile Runnable signal;

  /** Events taken but deferred by the owner; touched by the owner thread only. */
  private final ArrayDeque<Event> carried = new ArrayDeque<>();

  Inbox(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("inboxCapacity must be >= 1, got " + capacity);
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /**
   * Queues an inbound message, stamped with the ticks posted so far and its arrival time; drops it
   * when full.
   */
  void offerMessage(RaftMessage message) {
    offerMessage(new Event.Inbound(message, ticksPosted.get(), System.nanoTime()));
  }

  void offerMessage(Event.Inbound message) {
    if (!queue.offer(message)) {
      droppedMessages.incrementAndGet();
    }
    signal();
  }

  /** Queues a proposal; false when the inbox is full (the caller rejects the proposal). */
  boolean offerProposal(Event.Proposal proposal) {
    boolean queued = queue.offer(proposal);
    signal();
    return queued;
  }

  /** Queues owner-thread work; false when the inbox is full. */
  boolean offerTask(Event.Task task) {
    boolean queued = queue.offer(task);
    signal();
    return queued;
  }

  /** Counts one elapsed tick and wakes the owner (the wake-up may be dropped; the count is not). */
  void postTick() {
    ticksPosted.incrementAndGet();
    wakeUp();
  }

  void wakeUp() {
    Runnable s = signal;
    if (s != null) {
      s.run(); // no wake-up event needed: the owner's next run looks at everything
    } else {
      queue.offer(Event.Wakeup.INSTANCE);
    }
  }

  /**
   * From now on every offer and {@link #wakeUp} calls {@code ownerSignal} (which schedules the
   * owner's next run) instead of waking a thread waiting in {@link #drain}; what was offered
   * before waits for the owner's first run, which the caller schedules after this call.
   */
  void signalOwner(Runnable ownerSignal) {
    this.signal = ownerSignal;
  }

  private void signal() {
    Runnable s = signal;
    if (s != null) {
      s.run();
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for the first event, then takes every queued event (up to
   * {@code batchMax}) without waiting: one batch for the owner.
   */
  void drain(List<Event> out, int batchMax, long timeoutMillis) throws InterruptedException {
    while (!carried.isEmpty() && out.size() < batchMax) {
      out.add(carried.poll());
    }
    if (out.isEmpty() && ticksPosted.get() == ticksTaken) {
      Event first = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
      if (first == null) {
        return;
      }
      out.add(first);
    }
    queue.drainTo(out, batchMax - out.size());
  }

  /**
   * Returns events the owner took but chose not to handle in this batch (its byte budget was
   * spent); the next {@link #drain} hands them out first, so order is kept. Owner thread only.
   */
  void carryOver(List<Event> events) {
    for (int i = events.size() - 1; i >= 0; i--) {
      carried.addFirst(events.get(i));
    }
  }

  /** Ticks elapsed and not taken yet. Owner thread only. */
  int takeTicks() {
    return takeTicksUpTo(Long.MAX_VALUE);
  }

  /**
   * Ticks not taken yet that were posted before a message stamped {@code ticksBefore} arrived
   * (none if they were already taken). Owner thread only.
   */
  int takeTicksUpTo(long ticksBefore) {
    long upTo = Math.min(ticksBefore, ticksPosted.get());
    if (upTo <= ticksTaken) {
      return 0;
    }
    int n = (int) Math.min(Integer.MAX_VALUE, upTo - ticksTaken);
    ticksTaken += n;
    return n;
  }

  /** True if nothing waits for the owner: no event queued or carried over, no tick pending. */
  boolean idle() {
    return carried.isEmpty() && queue.isEmpty() && ticksPosted.get() == ticksTaken;
  }

  long droppedMessages() {
    return droppedMessages.get();
  }

  /** Everything still queued, for failing the proposals among it at shutdown. */
  void drainRemaining(List<Event> out) {
    out.addAll(carried);
    carried.clear();
    queue.drainTo(out);
  }
}
