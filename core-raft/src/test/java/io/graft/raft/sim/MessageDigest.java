package io.graft.raft.sim;

import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.message.TimeoutNow;

/**
 * A stable 64-bit digest of a message for the trace hash. Records' own hashCode mixes identity
 * hashes (enums, arrays), which change from one JVM run to the next, so every field is hashed here.
 */
final class MessageDigest implements RaftMessage.Handler<Long> {
  static final MessageDigest INSTANCE = new MessageDigest();

  static long of(RaftMessage m) {
    long base = Hashing.combine(Hashing.string(m.from().value()), m.term());
    return Hashing.combine(base, m.accept(INSTANCE));
  }

  private static long all(long... values) {
    long h = values.length;
    for (long v : values) {
      h = Hashing.combine(h, v);
    }
    return h;
  }

  private static long flag(boolean b) {
    return b ? 1 : 0;
  }

  @Override
  public Long onAppendEntries(AppendEntries m) {
    long h = all(1, m.prevLogIndex(), m.prevLogTerm(), m.leaderCommit());
    for (LogEntry e : m.entries()) {
      h = Hashing.combine(h, Hashing.entry(e));
    }
    return h;
  }

  @Override
  public Long onAppendEntriesResponse(AppendEntriesResponse m) {
    return all(
        2,
        flag(m.success()),
        m.matchIndex(),
        m.conflictIndex(),
        m.conflictTerm(),
        m.lastLogIndex());
  }

  @Override
  public Long onRequestVote(RequestVote m) {
    return all(
        3, m.lastLogIndex(), m.lastLogTerm(), flag(m.preVote()), flag(m.leadershipTransfer()));
  }

  @Override
  public Long onRequestVoteResponse(RequestVoteResponse m) {
    return all(4, flag(m.granted()), flag(m.preVote()));
  }

  @Override
  public Long onHeartbeat(Heartbeat m) {
    return all(5, m.commitIndex(), m.context());
  }

  @Override
  public Long onHeartbeatResponse(HeartbeatResponse m) {
    return all(6, m.context(), m.lastLogIndex());
  }

  @Override
  public Long onTimeoutNow(TimeoutNow m) {
    return all(7);
  }

  @Override
  public Long onInstallSnapshot(InstallSnapshot m) {
    return all(
        8,
        m.lastIncludedIndex(),
        m.lastIncludedTerm(),
        Hashing.bytes(m.configuration()),
        m.offset(),
        Hashing.bytes(m.data()),
        m.crc32c(),
        flag(m.done()));
  }

  @Override
  public Long onInstallSnapshotResponse(InstallSnapshotResponse m) {
    return all(9, m.lastIncludedIndex(), m.nextOffset(), flag(m.success()), flag(m.done()));
  }

  @Override
  public Long onChangeRequest(ChangeRequest m) {
    return all(m.requestId(), m.operation().code(), Hashing.string(m.target().value()));
  }

  @Override
  public Long onChangeResponse(ChangeResponse m) {
    return all(m.requestId(), Hashing.string(m.error()), m.configIndex(), m.voters().size());
  }

  @Override
  public Long onCommitNotice(CommitNotice m) {
    return all(12, m.commitIndex());
  }
}
