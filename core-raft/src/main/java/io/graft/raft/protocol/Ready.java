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
 *   <li>write: if the first of {@link #entriesToPersist} has an index {@code <=} the store's last
 *       index, {@code truncateSuffix(thatIndex)} first; append. Later reads of the store see them;
 *       they need not be durable yet;
 *   <li>start making this Ready durable, possibly on another thread (etcd-io/raft's asynchronous
 *       storage writes): save {@link #hardState} if non-null, then one {@code sync()} if {@link
 *       #mustSync};
 *   <li>hand {@link #entriesToApply} (committed and already durable here) to the apply thread;
 *   <li>hand {@link #snapshotsToSend} to the snapshot sender and {@link #snapshotChunks} to the
 *       snapshot receiver (both stream on their own thread; a receiver's answers promise only what
 *       it has written itself);
 *   <li>once step 3 is done: send {@link #messagesAfterPersist} (votes, AppendEntries responses:
 *       they promise durable state), then call {@code RaftMachine.advance(ready)}: only then does
 *       the machine count the persisted entries as durable (a leader counts itself toward commit
 *       only after its own fsync; entries become applicable only once durable).
 * </ol>
 *
 * <p>Pipelining: the owner may keep stepping messages and call {@code ready()} again while earlier
 * Readies are still being made durable; each Ready hands out only entries no earlier Ready carried.
 * Steps 3 and 6 must complete in the order the Readies were handed out ({@code advance} checks it),
 * so a later Ready's messagesAfterPersist, which may acknowledge entries an earlier Ready wrote,
 * never leave before that earlier Ready is durable. A runtime that persists synchronously simply
 * advances each Ready before asking for the next. {@link #entriesToApply} carries at most {@code
 * appendBytesMax} bytes (at least one entry); the rest follows in later Readies. After a restart it
 * starts again after the log's snapshot index.
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
