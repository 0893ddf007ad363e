package io.graft.raft.protocol;

import io.graft.raft.message.Envelope;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.LogEntry;
import java.util.List;

/**
 * Everything the runtime must do after a batch of {@code step}/{@code tick}/{@code propose} calls.
 * An effect value: compare with equals in tests.
 *
 * <p>The runtime handles a Ready in this order, in one place (docs/STYLE.md §3.4):
 *
 * <ol>
 *   <li>send {@link #messagesNow} (the leader's AppendEntries/heartbeats: a leader writes its own
 *       log in parallel with replication, thesis §10.2.1);
 *   <li>persist: if the first of {@link #entriesToPersist} has an index {@code <=} the store's last
 *       index, {@code truncateSuffix(thatIndex)} first; append; save {@link #hardState} if
 *       non-null; then one {@code sync()} if {@link #mustSync};
 *   <li>send {@link #messagesAfterPersist} (votes, AppendEntries responses: they promise durable
 *       state);
 *   <li>hand {@link #entriesToApply} (committed and locally durable, in order) to the apply thread;
 *   <li>hand {@link #snapshotsToSend} to the snapshot sender and {@link #snapshotChunks} to the
 *       snapshot receiver (both stream on their own thread; a receiver's answers promise only what
 *       it has written itself);
 *   <li>call {@code RaftMachine.advance(ready)}: only then does the machine count the persisted
 *       entries as durable (a leader counts itself toward commit only after its own fsync).
 * </ol>
 *
 * <p>One Ready at a time: after {@code ready()} the owner must call {@code advance(ready)} before
 * the next {@code ready()} ({@code hasReady()} is false meanwhile; a second {@code ready()} fails an
 * invariant). Steps, ticks and proposals may be fed between the two; their effects go into the next
 * Ready. {@link #entriesToApply} may include entries of this Ready's {@link #entriesToPersist}: they
 * are durable by step 4. It carries at most {@code appendBytesMax} bytes (at least one entry); the
 * rest follows in later Readies. After a restart it starts again after the log's snapshot index.
 *
 * @param softState current role/term/leader (always present)
 * @param hardState the hard state to persist, or null if unchanged since the last Ready. Its {@code
 *     commitIndex} is a hint capped at the last index that was durable <em>before</em> this Ready
 *     (acknowledged by an earlier {@code advance}), so saving it before this Ready's log sync is
 *     safe: after any crash the hint never exceeds the durable log. It may lag the machine's
 *     commitIndex by one Ready; the machine re-learns the rest from the leader.
 * @param snapshotsToSend leader: snapshots to stream to followers whose entries were compacted
 * @param snapshotChunks follower: InstallSnapshot chunks from the current leader, to store; once a
 *     snapshot is complete, verified and installed, the runtime calls {@code restoreSnapshot}
 */
public record Ready(
    SoftState softState,
    HardState hardState,
    List<LogEntry> entriesToPersist,
    List<Envelope> messagesNow,
    List<Envelope> messagesAfterPersist,
    List<LogEntry> entriesToApply,
    boolean mustSync,
    List<SnapshotSend> snapshotsToSend,
    List<InstallSnapshot> snapshotChunks) {

  public Ready {
    entriesToPersist = List.copyOf(entriesToPersist);
    messagesNow = List.copyOf(messagesNow);
    messagesAfterPersist = List.copyOf(messagesAfterPersist);
    entriesToApply = List.copyOf(entriesToApply);
    snapshotsToSend = List.copyOf(snapshotsToSend);
    snapshotChunks = List.copyOf(snapshotChunks);
  }

  /** A Ready without snapshot effects. */
  public Ready(
      SoftState softState,
      HardState hardState,
      List<LogEntry> entriesToPersist,
      List<Envelope> messagesNow,
      List<Envelope> messagesAfterPersist,
      List<LogEntry> entriesToApply,
      boolean mustSync) {
    this(softState, hardState, entriesToPersist, messagesNow, messagesAfterPersist,
        entriesToApply, mustSync, List.of(), List.of());
  }
}
