package io.graft.raft.protocol;

import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.LogEntry;
import java.util.List;

/**
 * The receiver side of AppendEntries and Heartbeat (Figure 2, §5.3), reached only with a message of
 * the current term from the current leader.
 */
final class FollowerStep {
  private final RaftMachine m;

  FollowerStep(RaftMachine machine) {
    this.m = machine;
  }

  void onAppendEntries(AppendEntries msg) {
    long prevIndex = msg.prevLogIndex();
    long prevTerm = msg.prevLogTerm();
    List<LogEntry> entries = msg.entries();
    long commit = m.log.commitIndex();
    if (prevIndex < commit) {
      // Entries up to commitIndex are committed here, so they equal the leader's (Leader
      // Completeness, §5.4): skip them instead of re-checking; a stale message can never truncate.
      int skip = (int) Math.min(entries.size(), commit - prevIndex);
      if (skip == entries.size()) {
        reply(true, commit, 0, 0);
        return;
      }
      prevTerm = entries.get(skip - 1).term();
      prevIndex = entries.get(skip - 1).index();
      entries = entries.subList(skip, entries.size());
    }
    if (!m.log.matchTerm(prevIndex, prevTerm)) {
      rejectWithHint(prevIndex);
      return;
    }
    appendNewEntries(entries);
    long lastNewIndex = prevIndex + entries.size();
    // Figure 2 rule 5: commitIndex = min(leaderCommit, index of last new entry).
    m.log.commitTo(Math.min(msg.leaderCommit(), lastNewIndex));
    reply(true, lastNewIndex, 0, 0);
  }

  /**
   * Figure 2 rules 3 and 4: skip entries already present, delete a conflicting entry and all that
   * follow it, append the rest. A follower's committed entries are never truncated.
   */
  private void appendNewEntries(List<LogEntry> entries) {
    if (m.mutation == Mutation.TRUNCATE_ON_EVERY_APPEND && !entries.isEmpty()) {
      m.log.truncateAndAppend(entries);
      m.configTracker.onAppended(entries);
      return;
    }
    for (int i = 0; i < entries.size(); i++) {
      LogEntry entry = entries.get(i);
      if (entry.index() > m.log.lastIndex()) {
        m.log.truncateAndAppend(entries.subList(i, entries.size()));
        m.configTracker.onAppended(entries.subList(i, entries.size()));
        return;
      }
      if (m.log.term(entry.index()) != entry.term()) {
        Invariants.check(
            entry.index() > m.log.commitIndex(),
            "%s: leader %s conflicts with committed entry %d",
            m.self,
            m.leader,
            entry.index());
        m.log.truncateAndAppend(entries.subList(i, entries.size()));
        m.configTracker.onAppended(entries.subList(i, entries.size()));
        return;
      }
    }
  }

  /**
   * Figure 2 rule 2 with the fast back-off of §5.3: report the conflicting term and the first index
   * we hold for it, or (conflictTerm 0) our last index + 1 when our log is too short.
   */
  private void rejectWithHint(long prevIndex) {
    long last = m.log.lastIndex();
    if (prevIndex > last) {
      reply(false, 0, last + 1, 0);
    } else {
      long conflictTerm = m.log.term(prevIndex);
      reply(false, 0, m.log.firstIndexOfTerm(prevIndex), conflictTerm);
    }
  }

  private void reply(boolean success, long matchIndex, long conflictIndex, long conflictTerm) {
    // The reply promises that the entries are durable: send it only after the Ready's persist step.
    AppendEntriesResponse response =
        new AppendEntriesResponse(
            m.self, m.term, success, matchIndex, conflictIndex, conflictTerm, m.log.lastIndex());
    if (success && m.mutation == Mutation.ACK_BEFORE_DURABLE) {
      m.sendNow(m.leader, response);
    } else {
      m.sendAfterPersist(m.leader, response);
    }
  }

  /**
   * Heartbeats carry min(leaderCommit, our matchIndex), so the commit stays within our log. The
   * response promises nothing durable (it acknowledges no entry and no vote), so it leaves at once,
   * not behind this member's log writes in flight (as etcd-io/raft does with async storage
   * writes): a slow follower disk must not look like a dead follower to the leader's CheckQuorum.
   */
  void onHeartbeat(Heartbeat msg) {
    m.log.commitTo(Math.min(msg.commitIndex(), m.log.lastIndex()));
    m.sendNow(
        msg.from(), new HeartbeatResponse(m.self, m.term, msg.context(), m.log.lastIndex()));
  }

  /** A one-way commit notice: capped like a heartbeat's commit, answered by nothing. */
  void onCommitNotice(CommitNotice msg) {
    m.log.commitTo(Math.min(msg.commitIndex(), m.log.lastIndex()));
  }
}
