package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.ProposalRejectedException;
import io.graft.raft.api.Role;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.TimeoutNow;
import io.graft.raft.protocol.progress.Progress;
import io.graft.raft.protocol.progress.ProgressState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The leader (§5.3, §5.4.2, thesis §10.2): replication with per-follower flow control (PROBE /
 * REPLICATE with a bounded pipelining window), fast back-off on rejections, heartbeats, the commit
 * rule (only current-term entries commit by counting replicas), CheckQuorum (thesis §6.2) and
 * leadership transfer (thesis §3.10). Leader messages go in {@code messagesNow}: the leader writes
 * its own log in parallel with replication (thesis §10.2.1).
 */
final class LeaderStep {
  /** A probe carries its first entry only up to this size (see sendAppend). */
  static final long PROBE_ENTRY_BYTES_MAX = 1024 * 1024;

  private final RaftMachine m;
  private final SnapshotStep snapshots;
  /**
   * The last AppendEntries built: followers in the same state get this very instance, so the
   * transport encodes it once for all of them.
   */
  private AppendEntries lastAppend;

  LeaderStep(RaftMachine machine, SnapshotStep snapshots) {
    this.m = machine;
    this.snapshots = snapshots;
  }

  void tick() {
    m.heartbeatElapsed++;
    m.electionElapsed++;
    if (m.electionElapsed >= m.config.electionTimeoutTicks()) {
      m.electionElapsed = 0;
      // Thesis §6.2: a leader that did not hear from a quorum within an election timeout steps
      // down.
      if (m.config.checkQuorum()
          && !m.majority.isQuorumActive(this::isRecentlyActive)) {
        m.roles.becomeFollower(m.term, null);
        return;
      }
      m.progress.values().forEach(Progress::clearActive);
    }
    if (m.leadTransferee != null && ++m.transferElapsed >= m.config.electionTimeoutTicks()) {
      m.leadTransferee = null; // §3.10: abort; the target did not take over within a timeout
      m.transferElapsed = 0;
    }
    if (m.heartbeatElapsed >= m.config.heartbeatIntervalTicks()) {
      m.heartbeatElapsed = 0;
      broadcastHeartbeat();
    }
    snapshots.tick();
  }

  private boolean isRecentlyActive(MemberId id) {
    return id.equals(m.self) || m.progress.get(id).recentActive();
  }

  /**
   * Appends client payloads in the current term (see {@link RaftMachine#propose}) and replicates
   * them; returns the index of the first.
   */
  long propose(List<byte[]> payloads) {
    if (m.leadTransferee != null) {
      throw new ProposalRejectedException(
          "leadership transfer from "
              + m.self
              + " to "
              + m.leadTransferee
              + " in progress; retry on the new leader");
    }
    long first = m.log.lastIndex() + 1;
    List<LogEntry> entries = new ArrayList<>(payloads.size());
    long bytes = 0;
    for (byte[] payload : payloads) {
      LogEntry entry = new LogEntry(m.term, first + entries.size(), EntryType.APPLICATION, payload);
      bytes += entry.sizeBytes();
      entries.add(entry);
    }
    if (m.uncommittedBytes + bytes > m.config.uncommittedBytesMax()) {
      throw new ProposalRejectedException(
          String.format(
              "back-pressure: %d uncommitted bytes + %d proposed would exceed uncommittedBytesMax"
                  + " %d; retry once earlier entries commit",
              m.uncommittedBytes, bytes, m.config.uncommittedBytesMax()));
    }
    m.uncommittedBytes += bytes;
    m.log.append(entries);
    broadcastAppend();
    return first;
  }

  /** Leader append of its own entries, then replication; configuration entries take effect now. */
  void appendOwn(List<LogEntry> entries) {
    m.log.append(entries);
    m.configTracker.onAppended(entries);
    broadcastAppend();
  }

  void broadcastAppend() {
    for (MemberId id : m.progress.keySet()) {
      sendAppend(id, true, true);
    }
  }

  private void broadcastHeartbeat() {
    for (Map.Entry<MemberId, Progress> e : m.progress.entrySet()) {
      // Never let a follower commit beyond what it is known to hold.
      long commit = Math.min(m.log.commitIndex(), e.getValue().matchIndex());
      m.sendNow(e.getKey(), new Heartbeat(m.self, m.term, commit, 0));
    }
  }

  /**
   * Sends the next batch to {@code to} unless its progress is paused. In REPLICATE the batch is
   * pipelined: nextIndex moves past it at once and it takes one in-flight slot. Batches respect
   * entriesPerAppendMax and appendBytesMax but always carry at least one entry. Returns true if a
   * message was sent.
   */
  boolean sendAppend(MemberId to, boolean sendIfEmpty) {
    return sendAppend(to, sendIfEmpty, false);
  }

  /**
   * As {@link #sendAppend(MemberId, boolean)}; with {@code mayLinger}, a small batch to a
   * follower that has an AppendEntries unacknowledged waits for that acknowledgement ({@link
   * RaftConfig#appendLingerBytes}) and returns false.
   */
  boolean sendAppend(MemberId to, boolean sendIfEmpty, boolean mayLinger) {
    Progress pr = m.progress.get(to);
    if (pr.isPaused()) {
      return false;
    }
    long prevIndex = pr.nextIndex() - 1;
    if (prevIndex < m.log.snapshotIndex()) {
      snapshots.startTransfer(to, pr); // §5.3: the entries it needs were compacted away
      return false;
    }
    long last = m.log.lastIndex();
    List<LogEntry> entries = List.of();
    if (pr.nextIndex() <= last) {
      long end = Math.min(last + 1, pr.nextIndex() + m.config.entriesPerAppendMax());
      entries = m.log.entries(pr.nextIndex(), end, m.config.appendBytesMax());
      if (pr.state() == ProgressState.PROBE
          && entries.get(0).sizeBytes() > PROBE_ENTRY_BYTES_MAX) {
        // A probe is resent on every heartbeat response until it is answered; carrying a large
        // entry (a 20 MB transaction) it would flood a slow follower with copies. Probe with no
        // entries: once the match is confirmed the follower is in REPLICATE and gets it once.
        entries = List.of();
      }
    }
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    if (mayLinger && lingers(pr, entries)) {
      return false;
    }
    if (pr.state() == ProgressState.REPLICATE && !entries.isEmpty()) {
      long lastSent = entries.get(entries.size() - 1).index();
      pr.optimisticUpdate(lastSent);
      pr.inflights().add(lastSent);
    } else if (pr.state() == ProgressState.PROBE) {
      pr.setProbeSent();
    }
    m.sendNow(to, appendEntries(prevIndex, entries));
    return true;
  }

  /** Nagle's rule: hold a small batch while this follower has an append unacknowledged. */
  private boolean lingers(Progress pr, List<LogEntry> entries) {
    if (pr.state() != ProgressState.REPLICATE
        || entries.isEmpty()
        || pr.inflights().count() == 0
        || entries.size() >= m.config.entriesPerAppendMax()) {
      return false;
    }
    long bytes = 0;
    for (LogEntry e : entries) {
      bytes += e.sizeBytes();
      if (bytes >= m.config.appendLingerBytes()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The AppendEntries for {@code prevIndex} and {@code entries}: the previous one again if it has
   * the same term, range and commit index (the leader's log never changes under a range it sent
   * in its term, so equal bounds mean equal content).
   */
  private AppendEntries appendEntries(long prevIndex, List<LogEntry> entries) {
    long commit = m.log.commitIndex();
    AppendEntries last = lastAppend;
    if (last != null
        && last.term() == m.term
        && last.prevLogIndex() == prevIndex
        && last.leaderCommit() == commit
        && sameRange(last.entries(), entries)) {
      return last;
    }
    lastAppend =
        new AppendEntries(m.self, m.term, prevIndex, m.log.term(prevIndex), entries, commit);
    return lastAppend;
  }

  private static boolean sameRange(List<LogEntry> a, List<LogEntry> b) {
    if (a.size() != b.size()) {
      return false;
    }
    return a.isEmpty()
        || (a.get(0).index() == b.get(0).index()
            && a.get(a.size() - 1).index() == b.get(b.size() - 1).index()
            && a.get(a.size() - 1).term() == b.get(b.size() - 1).term());
  }

  void onAppendEntriesResponse(AppendEntriesResponse r) {
    Progress pr = m.progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.markActive(m.tickCount);
    if (!r.success()) {
      if (maybeBackOff(pr, r)) {
        sendAppend(r.from(), true);
      }
      return;
    }
    boolean updated = pr.maybeUpdate(r.matchIndex());
    // An empty probe to a caught-up follower confirms the current match: replicate from there too.
    boolean probeConfirmed =
        pr.state() == ProgressState.PROBE && r.matchIndex() == pr.matchIndex();
    if (!updated && !probeConfirmed) {
      return; // stale or duplicated acknowledgement
    }
    if (pr.state() == ProgressState.PROBE
        || (pr.state() == ProgressState.SNAPSHOT && pr.matchIndex() >= pr.pendingSnapshotIndex())) {
      pr.becomeReplicate(); // a snapshot transfer is moot once the log reached past it
    } else {
      pr.inflights().freeUpTo(r.matchIndex());
    }
    if (updated) {
      maybeCommitAndBroadcast();
      if (m.role == Role.LEADER) {
        m.membershipStep().onProgress(r.from());
      }
    }
    boolean sent = false;
    while (m.role == Role.LEADER && sendAppend(r.from(), false, true)) {
      sent = true; // pipeline until the window is full or nothing is left (thesis §10.2.2)
    }
    if (updated && !sent && m.role == Role.LEADER) {
      // Its acknowledgement may have come after the commit moved (another follower completed
      // the majority): tell it what it can now commit, if nothing else carries it.
      notifyCommit(r.from(), pr);
    }
    if (r.from().equals(m.leadTransferee) && pr.matchIndex() == m.log.lastIndex()) {
      m.sendNow(r.from(), new TimeoutNow(m.self, m.term));
    }
  }

  /**
   * Fast back-off (§5.3): if we hold entries of the follower's conflicting term, continue right
   * after our last one; otherwise jump to the follower's first index of that term (or its log end).
   * nextIndex stays in (matchIndex, nextIndex); a rejection that cannot lower it is stale.
   */
  private boolean maybeBackOff(Progress pr, AppendEntriesResponse r) {
    long hint = r.conflictIndex();
    if (r.conflictTerm() > 0) {
      long ours = m.log.lastIndexOfTerm(pr.nextIndex() - 1, r.conflictTerm());
      if (ours > 0) {
        hint = ours + 1;
      }
    }
    hint = Math.min(hint, r.lastLogIndex() + 1);
    long next = Math.max(pr.matchIndex() + 1, Math.min(hint, pr.nextIndex() - 1));
    if (next >= pr.nextIndex()) {
      return false;
    }
    pr.becomeProbe(next);
    return true;
  }

  void onHeartbeatResponse(HeartbeatResponse r) {
    Progress pr = m.progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.markActive(m.tickCount);
    // A live follower: allow one more probe, or free one slot of a stalled window (etcd does too).
    if (pr.state() == ProgressState.PROBE) {
      pr.becomeProbe(pr.nextIndex());
    } else if (pr.state() == ProgressState.REPLICATE && pr.inflights().full()) {
      pr.inflights().freeFirstOne();
    }
    if (pr.matchIndex() < m.log.lastIndex()) {
      sendAppend(r.from(), true);
    }
  }

  /** Commits and, if commitIndex moved, tells the followers at once. */
  void maybeCommitAndBroadcast() {
    if (maybeCommit()) {
      broadcastCommit();
    }
  }

  /**
   * After commitIndex moved: a follower with entries still to send gets them (they carry the
   * commit index) or, when paused, nothing yet; a caught-up one in REPLICATE gets a one-way {@link
   * CommitNotice} instead of an empty AppendEntries it would have to acknowledge; one being probed
   * gets its probe as before.
   */
  private void broadcastCommit() {
    for (Map.Entry<MemberId, Progress> e : m.progress.entrySet()) {
      Progress pr = e.getValue();
      if (pr.state() == ProgressState.REPLICATE && pr.nextIndex() > m.log.lastIndex()) {
        notifyCommit(e.getKey(), pr);
      } else {
        sendAppend(e.getKey(), true, true);
      }
    }
  }

  /**
   * Sends a CommitNotice if the follower may commit more than it was told: the commit index,
   * capped at what it is known to hold (its match index), as a heartbeat's.
   */
  private void notifyCommit(MemberId to, Progress pr) {
    long commit = Math.min(m.log.commitIndex(), pr.matchIndex());
    if (commit > pr.commitNotified()) {
      pr.commitNotified(commit);
      m.sendNow(to, new CommitNotice(m.self, m.term, commit));
    }
  }

  /**
   * §5.3/§5.4.2 (Figure 8): advance commitIndex to the highest index stored on a majority, but only
   * if that entry is of the current term. The leader counts itself only for durable entries, and
   * only while it is a voter of its latest configuration (§4.2.2: a leader being removed
   * replicates C_new without counting itself).
   */
  private boolean maybeCommit() {
    long index =
        m.majority
            .committedIndex(
                id -> id.equals(m.self) ? m.log.persistedIndex() : m.progress.get(id).matchIndex());
    if (index <= m.log.commitIndex()
        || (m.log.term(index) != m.term && m.mutation != Mutation.COMMIT_EARLIER_TERM_BY_COUNT)) {
      return false;
    }
    releaseUncommittedBytes(m.log.commitIndex() + 1, index);
    m.log.commitTo(index);
    m.membershipStep().onCommit(); // may append the next change entry or step down (§4.2.2)
    return true;
  }

  private void releaseUncommittedBytes(long fromIndex, long toIndex) {
    if (m.uncommittedBytes == 0) {
      return;
    }
    for (LogEntry e : m.log.entries(fromIndex, toIndex + 1, Long.MAX_VALUE)) {
      if (e.term() == m.term && e.type() == EntryType.APPLICATION) {
        m.uncommittedBytes -= e.sizeBytes();
      }
    }
    Invariants.check(m.uncommittedBytes >= 0, "uncommitted bytes < 0: %d", m.uncommittedBytes);
  }

  /** §3.10: catch the target up, then send it TimeoutNow; proposals are refused meanwhile. */
  void startTransfer(MemberId target) {
    if (target.equals(m.leadTransferee)) {
      return;
    }
    m.leadTransferee = target;
    m.transferElapsed = 0;
    Progress pr = m.progress.get(target);
    if (pr.matchIndex() == m.log.lastIndex()) {
      m.sendNow(target, new TimeoutNow(m.self, m.term));
    } else {
      sendAppend(target, true);
    }
  }
}
