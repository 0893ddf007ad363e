package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.Envelope;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The machine's side of the {@link Ready} contract (etcd-io/raft RawNode's prevSoftSt/prevHardSt
 * and acceptReady/Advance, with asynchronous storage writes): collects the effects the role steps
 * produce, remembers what the last Ready carried so that {@link #hasReady} reports only changes,
 * hands each unstable entry out once to be persisted and each committed, durable entry once to be
 * applied, in order, and takes the persist acknowledgements ({@link #advance}) in the order the
 * Readies were handed out, any number of them in flight.
 */
final class ReadyTracker {
  private final RaftMachine m;
  private final List<Envelope> messagesNow = new ArrayList<>();
  private final List<Envelope> messagesAfterPersist = new ArrayList<>();
  private final List<SnapshotSend> snapshotsToSend = new ArrayList<>();
  private final List<InstallSnapshot> snapshotChunks = new ArrayList<>();

  private HardState lastReadyHardState;
  private SoftState lastReadySoftState;
  private long appliedHandedOut;
  /** Readies handed out whose persist step was not acknowledged yet, oldest first. */
  private final ArrayDeque<Ready> inFlight = new ArrayDeque<>();

  /**
   * Built once the machine's durable state is loaded. {@code appliedHandedOut} is the log's
   * snapshot index: every committed entry after it is handed out again after a restart.
   */
  ReadyTracker(RaftMachine machine, long appliedHandedOut) {
    this.m = machine;
    this.appliedHandedOut = appliedHandedOut;
    this.lastReadyHardState = durableHardState();
    this.lastReadySoftState = m.softState();
  }

  void sendNow(MemberId to, RaftMessage message) {
    messagesNow.add(new Envelope(to, message));
  }

  void sendAfterPersist(MemberId to, RaftMessage message) {
    messagesAfterPersist.add(new Envelope(to, message));
  }

  /** Leader: a snapshot for the runtime to stream to a follower (thesis §5.3). */
  void sendSnapshot(SnapshotSend send) {
    snapshotsToSend.add(send);
  }

  /** Follower: an InstallSnapshot chunk for the runtime to store (thesis §5.3). */
  void storeChunk(InstallSnapshot chunk) {
    snapshotChunks.add(chunk);
  }

  boolean hasReady() {
    // Allocation-free: the owner polls this after every event. A commit-hint-only change does not
    // need a Ready of its own: it rides along with the next one (a commit that moves always brings
    // entries to apply anyway).
    return !messagesNow.isEmpty()
        || !messagesAfterPersist.isEmpty()
        || !snapshotsToSend.isEmpty()
        || !snapshotChunks.isEmpty()
        || m.log.hasUnstableNotInProgress()
        || m.term != lastReadyHardState.term()
        || !Objects.equals(m.votedFor, lastReadyHardState.votedFor())
        || m.role != lastReadySoftState.role()
        || m.term != lastReadySoftState.term()
        || !Objects.equals(m.leader, lastReadySoftState.leader())
        || appliedHandedOut < applicableIndex();
  }

  Ready ready() {
    HardState hard = durableHardState();
    HardState hardOut = hard.equals(lastReadyHardState) ? null : hard;
    boolean voteOrTermChanged =
        hard.term() != lastReadyHardState.term()
            || !Objects.equals(hard.votedFor(), lastReadyHardState.votedFor());
    List<LogEntry> toPersist = m.log.takeUnstableToPersist();
    List<LogEntry> toApply = List.of();
    long applicable = applicableIndex();
    if (appliedHandedOut < applicable) {
      toApply = m.log.entries(appliedHandedOut + 1, applicable + 1, m.config.appendBytesMax());
      appliedHandedOut = toApply.get(toApply.size() - 1).index();
    }
    Ready ready =
        new Ready(
            m.softState(),
            hardOut,
            toPersist,
            messagesNow,
            messagesAfterPersist,
            toApply,
            !toPersist.isEmpty() || voteOrTermChanged,
            snapshotsToSend,
            snapshotChunks);
    messagesNow.clear();
    messagesAfterPersist.clear();
    snapshotsToSend.clear();
    snapshotChunks.clear();
    lastReadyHardState = hard;
    lastReadySoftState = ready.softState();
    inFlight.addLast(ready);
    return ready;
  }

  /** Readies handed out and not yet advanced. */
  int inFlight() {
    return inFlight.size();
  }

  /**
   * Marks the entries {@code ready} persisted as stable (unless they were replaced meanwhile).
   * Readies must be advanced in the order they were handed out. Returns true if it persisted any
   * (the leader may then count itself toward commit).
   */
  boolean advance(Ready ready) {
    Invariants.check(
        !inFlight.isEmpty() && ready == inFlight.peekFirst(),
        "advance() with a Ready that is not the oldest one in flight (%d in flight)",
        inFlight.size());
    inFlight.removeFirst();
    if (ready.entriesToPersist().isEmpty()) {
      return false;
    }
    LogEntry last = ready.entriesToPersist().get(ready.entriesToPersist().size() - 1);
    m.log.stableTo(last.index(), last.term());
    return true;
  }

  /**
   * The hard state to persist: the commit hint is capped at the last index that was durable before
   * the Ready being built, so that a crash after saving it but before the log's sync can never
   * leave a hint beyond the durable log (nor over stale entries whose truncation was not yet
   * synced).
   */
  HardState durableHardState() {
    return new HardState(m.term, m.votedFor, Math.min(m.log.commitIndex(), m.log.persistedIndex()));
  }

  /**
   * Committed entries are applicable once durable here (acknowledged by {@code advance}): a state
   * machine must never be ahead of the local log after a crash.
   */
  private long applicableIndex() {
    if (m.mutation == Mutation.APPLY_BEFORE_COMMIT) {
      return m.log.lastIndex();
    }
    return Math.min(m.log.commitIndex(), m.log.persistedIndex());
  }

  long appliedHandedOut() {
    return appliedHandedOut;
  }

  /** After a snapshot restore: entries up to it are in the state machine, never handed out. */
  void restoreAppliedHandedOut(long index) {
    appliedHandedOut = Math.max(appliedHandedOut, index);
  }
}
