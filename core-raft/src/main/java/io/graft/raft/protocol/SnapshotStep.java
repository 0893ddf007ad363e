package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.protocol.progress.Progress;
import io.graft.raft.protocol.progress.ProgressState;
import java.util.Map;

/**
 * The snapshot path of the protocol (thesis §5.3, Figure 5.3 InstallSnapshot; etcd-io/raft's
 * StateSnapshot). Pure like the rest: it decides, the runtime moves the bytes.
 *
 * <ul>
 *   <li>Leader: a follower whose nextIndex is at or below the log's snapshot index cannot be served
 *       from the log; its progress goes to SNAPSHOT and the Ready carries a {@link SnapshotSend}.
 *       Chunk progress reports (InstallSnapshotResponse, not done) keep the transfer alive; a
 *       transfer without progress for {@link #stallTicks} is issued again (the follower resumes from
 *       its offset). A done+success answer sets match = snapshot index and probes after it.
 *   <li>Follower: chunks from the current leader for a snapshot beyond commitIndex go into the
 *       Ready for the runtime to store; a snapshot at or below commitIndex is answered as done at
 *       once (§5.3: "if existing log entry has same index and term as snapshot's last included
 *       entry, retain log entries following it"; the committed prefix already equals it, §5.4).
 *   <li>Both: {@link RaftMachine#restoreSnapshot} adopts an installed snapshot: commitIndex and the
 *       applied index jump to it, the configuration becomes the snapshot's.
 * </ul>
 */
final class SnapshotStep {
  private final RaftMachine m;

  SnapshotStep(RaftMachine machine) {
    this.m = machine;
  }

  /** Ticks without progress after which a transfer is issued again (resume, not restart). */
  int stallTicks() {
    return 2 * m.config.electionTimeoutTicks();
  }

  /** Leader: the follower needs compacted entries; switch it to SNAPSHOT and ask for a transfer. */
  void startTransfer(MemberId to, Progress pr) {
    if (m.snapshot == null) {
      // Only possible if the log was compacted without a snapshot: wait; snapshotAvailable()
      // restarts waiting transfers. The follower is not lost: it keeps answering heartbeats.
      pr.becomeSnapshot(m.log.snapshotIndex());
      return;
    }
    pr.becomeSnapshot(m.snapshot.index());
    m.readyTracker.sendSnapshot(new SnapshotSend(to, m.term, m.snapshot));
  }

  /** Leader tick: re-issue transfers that made no progress within the stall bound. */
  void tick() {
    for (Map.Entry<MemberId, Progress> e : m.progress.entrySet()) {
      Progress pr = e.getValue();
      if (pr.state() == ProgressState.SNAPSHOT && pr.tickSnapshot() >= stallTicks()) {
        startTransfer(e.getKey(), pr);
      }
    }
  }

  /** A new snapshot exists: followers waiting for one (none was available) get it now. */
  void onSnapshotAvailable() {
    if (m.role != Role.LEADER) {
      return;
    }
    for (Map.Entry<MemberId, Progress> e : m.progress.entrySet()) {
      Progress pr = e.getValue();
      if (pr.state() == ProgressState.SNAPSHOT && pr.pendingSnapshotIndex() < m.snapshot.index()
          && pr.pendingSnapshotIndex() <= m.log.snapshotIndex()) {
        startTransfer(e.getKey(), pr);
      }
    }
  }

  /** Leader: a chunk acknowledgement (progress) or the final answer of a transfer. */
  void onInstallSnapshotResponse(InstallSnapshotResponse r, LeaderStep leader) {
    Progress pr = m.progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.markActive(m.tickCount);
    if (pr.state() != ProgressState.SNAPSHOT) {
      return; // a late answer for a transfer already settled
    }
    if (!r.done()) {
      pr.snapshotProgressed(); // alive and moving: not stalled
      return;
    }
    if (r.success() && r.lastIncludedIndex() >= pr.pendingSnapshotIndex()) {
      // The follower's log now starts right after the snapshot: probe from there (§5.3).
      pr.maybeUpdate(r.lastIncludedIndex());
      pr.becomeProbe(Math.max(pr.matchIndex() + 1, r.lastIncludedIndex() + 1));
      leader.sendAppend(r.from(), true);
    }
  }

  /** Follower: a chunk from the leader of the current term (term rules already applied). */
  void onInstallSnapshot(InstallSnapshot msg) {
    if (msg.lastIncludedIndex() <= m.log.commitIndex()) {
      // Already have everything it covers: tell the leader to continue with the log.
      m.sendAfterPersist(msg.from(), new InstallSnapshotResponse(
          m.self, m.term, msg.lastIncludedIndex(), msg.offset(), true, true));
      return;
    }
    m.readyTracker.storeChunk(msg);
  }

  /**
   * Adopts a snapshot the runtime has installed into the state machine and into the durable log
   * (see {@link RaftMachine#restoreSnapshot}). Returns false if it is not newer than commitIndex.
   */
  boolean restore(SnapshotMeta snapshot, MemberId replyTo) {
    boolean newer = snapshot.index() > m.log.commitIndex();
    if (newer) {
      m.log.restore(snapshot.index(), snapshot.term());
      // §5.1: the snapshot's configuration, then any configuration entries of a kept suffix.
      m.configTracker.restore(snapshot);
      m.readyTracker.restoreAppliedHandedOut(snapshot.index());
    }
    if (replyTo != null) {
      // Either way the follower now holds everything up to the snapshot index: done.
      m.sendAfterPersist(replyTo, new InstallSnapshotResponse(
          m.self, m.term, snapshot.index(), 0, true, true));
    }
    return newer;
  }
}
