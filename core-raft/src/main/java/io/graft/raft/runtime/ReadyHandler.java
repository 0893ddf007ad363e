package io.graft.raft.runtime;

import io.graft.raft.message.Envelope;
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

  ReadyHandler(
      Transport transport,
      DurableWriter writer,
      ApplyWorker applyWorker,
      SnapshotCoordinator snapshots,
      StatusPublisher statusPublisher) {
    this.transport = transport;
    this.writer = writer;
    this.applyWorker = applyWorker;
    this.snapshots = snapshots;
    this.statusPublisher = statusPublisher;
  }

  /**
   * The documented Ready order: the leader's AppendEntries leave before its own fsync so
   * replication and the local disk write overlap (thesis §10.2.1); votes and append
   * acknowledgements promise durable state, so they leave only after the sync (Figure 2, "respond
   * after persisting").
   */
  void handle(ConsensusMachine machine, Ready ready) {
    send(ready.messagesNow());
    writer.persist(ready);
    send(ready.messagesAfterPersist());
    if (!ready.entriesToApply().isEmpty()) {
      // Publish the new commit index before any proposal future can complete on the apply thread:
      // a caller whose entry was applied must never read a status with a smaller commitIndex.
      statusPublisher.publish(machine);
    }
    applyWorker.enqueue(ready.entriesToApply());
    if (snapshots != null) {
      snapshots.onReady(ready);
    }
    machine.advance(ready);
  }

  private void send(List<Envelope> messages) {
    for (Envelope e : messages) {
      transport.send(e.to(), e.message());
    }
  }
}
