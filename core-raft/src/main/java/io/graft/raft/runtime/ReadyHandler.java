package io.graft.raft.runtime;

import io.graft.raft.api.Role;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.Ready;
import io.graft.raft.transport.Transport;
import java.util.List;

/**
 * Carries out one {@link Ready} in the order its Javadoc documents (docs/STYLE.md §3.4): send the
 * leader's messages, persist, send the messages that promise durable state, hand committed entries
 * to the apply thread and snapshot effects to the coordinator, then {@code advance}. Owner thread
 * only.
 */
final class ReadyHandler {
  private final Transport transport;
  private final DurableWriter writer;
  private final ApplyWorker applyWorker;
  /** Snapshots and compaction, or null if the state machine has no SnapshotSupport. */
  private final SnapshotCoordinator snapshots;
  private final StatusPublisher statusPublisher;
  private final RaftMetricsRecorder metrics;

  ReadyHandler(
      Transport transport,
      DurableWriter writer,
      ApplyWorker applyWorker,
      SnapshotCoordinator snapshots,
      StatusPublisher statusPublisher,
      RaftMetricsRecorder metrics) {
    this.transport = transport;
    this.writer = writer;
    this.applyWorker = applyWorker;
    this.snapshots = snapshots;
    this.statusPublisher = statusPublisher;
    this.metrics = metrics;
  }

  /**
   * The documented Ready order: the leader's AppendEntries leave before its own fsync so
   * replication and the local disk write overlap (thesis §10.2.1); votes and append
   * acknowledgements promise durable state, so they leave only after the sync (Figure 2, "respond
   * after persisting").
   */
  void handle(ConsensusMachine machine, Ready ready) {
    metrics.leading(
        ready.softState().role() == Role.LEADER, ready.softState().term(), machine.commitIndex());
    send(ready.messagesNow());
    metrics.reached(LeaderStage.SENT, lastAppended(ready.messagesNow()), System.nanoTime());
    writer.persist(ready);
    if (!ready.entriesToPersist().isEmpty()) {
      metrics.reached(LeaderStage.OWN_FSYNC_DONE, last(ready.entriesToPersist()), System.nanoTime());
    }
    send(ready.messagesAfterPersist());
    if (!ready.entriesToApply().isEmpty()) {
      // Publish the new commit index before any proposal future can complete on the apply thread:
      // a caller whose entry was applied must never read a status with a smaller commitIndex.
      statusPublisher.publish(machine);
    }
    if (!ready.entriesToApply().isEmpty()) {
      // Recorded before the hand-off: once handed over, a proposer may see its result at once.
      metrics.reached(LeaderStage.HANDED_TO_APPLY, last(ready.entriesToApply()), System.nanoTime());
    }
    applyWorker.enqueue(ready.entriesToApply());
    if (snapshots != null) {
      snapshots.onReady(ready);
    }
    long commitBefore = machine.commitIndex();
    machine.advance(ready);
    if (machine.commitIndex() > commitBefore) {
      // The leader's own write completed the majority.
      long now = System.nanoTime();
      metrics.reached(LeaderStage.QUORUM_DURABLE, machine.commitIndex(), now);
      metrics.reached(LeaderStage.COMMITTED, machine.commitIndex(), now);
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

  private void send(List<Envelope> messages) {
    for (Envelope e : messages) {
      transport.send(e.to(), e.message());
    }
  }
}
