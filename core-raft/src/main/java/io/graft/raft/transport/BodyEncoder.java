package io.graft.raft.transport;

import io.graft.raft.message.AppendEntries;
import io.graft.raft.api.MemberId;
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
 * Writes the body of each Raft message; field order here and in {@link BodyDecoder} is
 * the wire format (record component order, from first).
 */
final class BodyEncoder implements RaftMessage.Handler<Void> {
  private final WireWriter w;

  BodyEncoder(WireWriter w) {
    this.w = w;
  }

  @Override
  public Void onAppendEntries(AppendEntries m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.prevLogIndex());
    w.i64(m.prevLogTerm());
    w.i64(m.leaderCommit());
    w.i32(m.entries().size());
    for (LogEntry e : m.entries()) {
      w.i64(e.term());
      w.i64(e.index());
      w.u8(e.type().code());
      w.bytes(e.payload());
    }
    return null;
  }

  @Override
  public Void onAppendEntriesResponse(AppendEntriesResponse m) {
    w.member(m.from());
    w.i64(m.term());
    w.bool(m.success());
    w.i64(m.matchIndex());
    w.i64(m.conflictIndex());
    w.i64(m.conflictTerm());
    w.i64(m.lastLogIndex());
    return null;
  }

  @Override
  public Void onRequestVote(RequestVote m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.lastLogIndex());
    w.i64(m.lastLogTerm());
    w.bool(m.preVote());
    w.bool(m.leadershipTransfer());
    return null;
  }

  @Override
  public Void onRequestVoteResponse(RequestVoteResponse m) {
    w.member(m.from());
    w.i64(m.term());
    w.bool(m.granted());
    w.bool(m.preVote());
    return null;
  }

  @Override
  public Void onHeartbeat(Heartbeat m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.commitIndex());
    w.i64(m.context());
    return null;
  }

  @Override
  public Void onHeartbeatResponse(HeartbeatResponse m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.context());
    w.i64(m.lastLogIndex());
    return null;
  }

  @Override
  public Void onTimeoutNow(TimeoutNow m) {
    w.member(m.from());
    w.i64(m.term());
    return null;
  }

  @Override
  public Void onInstallSnapshot(InstallSnapshot m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.lastIncludedIndex());
    w.i64(m.lastIncludedTerm());
    w.bytes(m.configuration());
    w.i64(m.offset());
    w.bytes(m.data());
    w.i32(m.crc32c());
    w.bool(m.done());
    return null;
  }

  @Override
  public Void onInstallSnapshotResponse(InstallSnapshotResponse m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.lastIncludedIndex());
    w.i64(m.nextOffset());
    w.bool(m.success());
    w.bool(m.done());
    return null;
  }

  @Override
  public Void onChangeRequest(ChangeRequest m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.requestId());
    w.u8(m.operation().code());
    w.member(m.target());
    return null;
  }

  @Override
  public Void onChangeResponse(ChangeResponse m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.requestId());
    w.string(m.error());
    w.string(m.detail());
    w.bool(m.leader() != null);
    if (m.leader() != null) {
      w.member(m.leader());
    }
    w.i64(m.configIndex());
    w.i32(m.voters().size());
    for (MemberId id : m.voters()) {
      w.member(id);
    }
    w.i32(m.learners().size());
    for (MemberId id : m.learners()) {
      w.member(id);
    }
    return null;
  }

  @Override
  public Void onCommitNotice(CommitNotice m) {
    w.member(m.from());
    w.i64(m.term());
    w.i64(m.commitIndex());
    return null;
  }
}
