package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.Ready;
import io.graft.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Carries out each {@link Ready} in the order its Javadoc documents (docs/STYLE.md §3.4), with the
 * persist step made durable asynchronously by {@link DurableWriter}: {@link #handle} sends the
 * leader's messages, writes, hands committed entries to the apply thread and snapshot effects to
 * the coordinator; {@link #finishDurable} later, once the write is durable, sends the messages that
 * promise durable state and advances the machine. Owner thread only.
 */
final class ReadyHandler {
  /** Points between the steps on the owner thread, for a test that crashes a member there. */
  enum Step {
    BEFORE_SEND,
    BEFORE_WRITE,
    BEFORE_APPLY,
    BEFORE_SEND_AFTER_PERSIST,
    BEFORE_ADVANCE
  }

  private final Transport transport;
  private final DurableWriter writer;
  private final Consumer<List<LogEntry>> apply;
  /** Snapshot effects of a Ready (the coordinator's), or a no-op without snapshots. */
  private final Consumer<Ready> snapshotEffects;
  /** Publishes the status before entries reach the apply thread. */
  private final Consumer<ConsensusMachine> beforeApply;
  private final RaftMetricsRecorder metrics;
  private final LongSupplier clock;
  private Consumer<Step> hook;

  ReadyHandler(
      Transport transport,
      DurableWriter writer,
      Consumer<List<LogEntry>> apply,
      Consumer<Ready> snapshotEffects,
      Consumer<ConsensusMachine> beforeApply,
      RaftMetricsRecorder metrics,
      LongSupplier clock) {
    this.transport = transport;
    this.writer = writer;
    this.apply = apply;
    this.snapshotEffects = snapshotEffects;
    this.beforeApply = beforeApply;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Test seam: called at each {@link Step} (it may throw, e.g. to crash a simulated member). */
  void hook(Consumer<Step> hook) {
    this.hook = hook;
  }

  /**
   * The documented Ready order: the leader's AppendEntries leave before its own write so
   * replication and the local disk overlap (thesis §10.2.1); the write is made durable by the
   * sync side while this thread goes on; committed entries (durable here already) go to the apply
   * thread now. Whatever the sync side has finished meanwhile is completed at the end.
   */
  void handle(ConsensusMachine machine, Ready ready) {
    metrics.leading(
        ready.softState().role() == Role.LEADER, ready.softState().term(), machine.commitIndex());
    step(Step.BEFORE_SEND);
    send(ready.messagesNow());
    metrics.reached(LeaderStage.SENT, lastAppended(ready.messagesNow()), clock.getAsLong());
    step(Step.BEFORE_WRITE);
    if (writer.truncates(ready)) {
      // Acknowledgements of earlier writes leave while those writes are still on disk as they
      // promise, before this Ready's truncation removes some of them.
      quiesce(machine);
    }
    writer.write(ready);
    step(Step.BEFORE_APPLY);
    List<LogEntry> toApply = ready.entriesToApply();
    if (!toApply.isEmpty()) {
      // Publish the new commit index before any proposal future can complete on the apply thread:
      // a caller whose entry was applied must never read a status with a smaller commitIndex.
      beforeApply.accept(machine);
      // Recorded before the hand-off: once handed over, a proposer may see its result at once.
      metrics.reached(LeaderStage.HANDED_TO_APPLY, last(toApply), clock.getAsLong());
      apply.accept(toApply);
    }
    snapshotEffects.accept(ready);
    finishDurable(machine);
  }

  /**
   * Completes the Readies whose writes are durable, oldest first: their messagesAfterPersist
   * (votes, append acknowledgements: Figure 2, "respond after persisting") leave, then the machine
   * counts their entries as durable (a leader counts itself toward commit only now).
   */
  void finishDurable(ConsensusMachine machine) {
    WriteJob job;
    while ((job = writer.pollDone()) != null) {
      step(Step.BEFORE_SEND_AFTER_PERSIST);
      send(job.ready.messagesAfterPersist());
      if (job.entries > 0) {
        metrics.reached(LeaderStage.OWN_FSYNC_DONE, job.lastIndex, job.doneNanos());
      }
      step(Step.BEFORE_ADVANCE);
      long commitBefore = machine.commitIndex();
      machine.advance(job.ready);
      if (machine.commitIndex() > commitBefore) {
        // The leader's own write completed the majority.
        metrics.reached(LeaderStage.QUORUM_DURABLE, machine.commitIndex(), job.doneNanos());
        metrics.reached(LeaderStage.COMMITTED, machine.commitIndex(), clock.getAsLong());
      }
    }
  }

  /**
   * Waits until no write is in flight and completes them all (their messages leave, the machine
   * advances): before an operation that removes log entries (a truncation, a snapshot's log reset)
   * so that no acknowledgement leaves after the entries it promises were removed.
   */
  void quiesce(ConsensusMachine machine) {
    writer.awaitIdle();
    finishDurable(machine);
  }

  private void step(Step step) {
    if (hook != null) {
      hook.accept(step);
    }
  }

  /**
   * Sends each message; consecutive envelopes carrying the very same message (the leader's
   * AppendEntries to followers in the same state) go out as one {@code send}, encoded once.
   */
  private void send(List<Envelope> messages) {
    int i = 0;
    while (i < messages.size()) {
      Envelope e = messages.get(i);
      int end = i + 1;
      while (end < messages.size() && messages.get(end).message() == e.message()) {
        end++;
      }
      if (end - i == 1) {
        transport.send(e.to(), e.message());
      } else {
        List<MemberId> to = new ArrayList<>(end - i);
        for (int k = i; k < end; k++) {
          to.add(messages.get(k).to());
        }
        transport.send(to, e.message());
      }
      i = end;
    }
    if (!messages.isEmpty()) {
      transport.flush(); // the owner on the transport's loop: out now, not after this batch
    }
  }

  private static long last(List<LogEntry> entries) {
    return entries.get(entries.size() - 1).index();
  }

  /** Highest entry index carried by the AppendEntries among {@code messages}, or 0. */
  private static long lastAppended(List<Envelope> messages) {
    long last = 0;
    for (Envelope e : messages) {
      if (e.message() instanceof AppendEntries a && !a.entries().isEmpty()) {
        last = Math.max(last, last(a.entries()));
      }
    }
    return last;
  }
}
