package io.graft.raft.transport;

import static io.graft.raft.transport.MessageCodec.TYPE_APPEND_ENTRIES;
import static io.graft.raft.transport.MessageCodec.TYPE_APPEND_ENTRIES_RESPONSE;
import static io.graft.raft.transport.MessageCodec.TYPE_CHANGE_REQUEST;
import static io.graft.raft.transport.MessageCodec.TYPE_CHANGE_RESPONSE;
import static io.graft.raft.transport.MessageCodec.TYPE_COMMIT_NOTICE;
import static io.graft.raft.transport.MessageCodec.TYPE_HEARTBEAT;
import static io.graft.raft.transport.MessageCodec.TYPE_HEARTBEAT_RESPONSE;
import static io.graft.raft.transport.MessageCodec.TYPE_INSTALL_SNAPSHOT;
import static io.graft.raft.transport.MessageCodec.TYPE_INSTALL_SNAPSHOT_RESPONSE;
import static io.graft.raft.transport.MessageCodec.TYPE_REQUEST_VOTE;
import static io.graft.raft.transport.MessageCodec.TYPE_REQUEST_VOTE_RESPONSE;
import static io.graft.raft.transport.MessageCodec.TYPE_TIMEOUT_NOW;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.AppendEntriesResponse;
import io.graft.raft.message.ChangeRequest;
import io.graft.raft.message.ChangeResponse;
import io.graft.raft.message.CommitNotice;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.HeartbeatResponse;
import io.graft.raft.message.InstallSnapshot;
import io.graft.raft.message.InstallSnapshotResponse;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.RequestVote;
import io.graft.raft.message.RequestVoteResponse;
import io.graft.raft.message.TimeoutNow;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the body of each Raft message, the mirror of {@link BodyEncoder}: field order here and
 * there is the wire format (record component order, from first). Strict: an impossible count or
 * a value a record refuses throws {@link CodecException}. Stateless.
 */
final class BodyDecoder {
  /** Smallest encoded LogEntry (term, index, type, payload length): bounds the entry count. */
  static final int ENTRY_BYTES_MIN = 8 + 8 + 1 + 4;

  private BodyDecoder() {}

  /** Decodes the body of a Raft message of wire type {@code type}. */
  static RaftMessage decode(int type, WireReader r) {
    try {
      switch (type) {
        case TYPE_APPEND_ENTRIES:
          return decodeAppendEntries(r);
        case TYPE_APPEND_ENTRIES_RESPONSE:
          return new AppendEntriesResponse(r.member("from"), r.i64("term"), r.bool("success"),
              r.i64("matchIndex"), r.i64("conflictIndex"), r.i64("conflictTerm"),
              r.i64("lastLogIndex"));
        case TYPE_REQUEST_VOTE:
          return new RequestVote(r.member("from"), r.i64("term"), r.i64("lastLogIndex"),
              r.i64("lastLogTerm"), r.bool("preVote"), r.bool("leadershipTransfer"));
        case TYPE_REQUEST_VOTE_RESPONSE:
          return new RequestVoteResponse(r.member("from"), r.i64("term"), r.bool("granted"),
              r.bool("preVote"));
        case TYPE_HEARTBEAT:
          return new Heartbeat(r.member("from"), r.i64("term"), r.i64("commitIndex"),
              r.i64("context"));
        case TYPE_HEARTBEAT_RESPONSE:
          return new HeartbeatResponse(r.member("from"), r.i64("term"), r.i64("context"),
              r.i64("lastLogIndex"));
        case TYPE_TIMEOUT_NOW:
          return new TimeoutNow(r.member("from"), r.i64("term"));
        case TYPE_INSTALL_SNAPSHOT:
          return new InstallSnapshot(r.member("from"), r.i64("term"), r.i64("lastIncludedIndex"),
              r.i64("lastIncludedTerm"), r.bytes("configuration"), r.i64("offset"),
              r.bytes("data"), r.i32("crc32c"), r.bool("done"));
        case TYPE_INSTALL_SNAPSHOT_RESPONSE:
          return new InstallSnapshotResponse(r.member("from"), r.i64("term"),
              r.i64("lastIncludedIndex"), r.i64("nextOffset"), r.bool("success"), r.bool("done"));
        case TYPE_CHANGE_REQUEST:
          return new ChangeRequest(r.member("from"), r.i64("term"), r.i64("requestId"),
              ChangeRequest.Operation.ofCode(r.u8("operation")), r.member("target"));
        case TYPE_CHANGE_RESPONSE:
          return decodeChangeResponse(r);
        case TYPE_COMMIT_NOTICE:
          return new CommitNotice(r.member("from"), r.i64("term"), r.i64("commitIndex"));
        default:
          throw new CodecException("unknown message type " + type);
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      // A record constructor refused a decoded value (e.g. a LogEntry with term 0).
      throw new CodecException("invalid message type " + type + ": " + e.getMessage(), e);
    }
  }

  private static ChangeResponse decodeChangeResponse(WireReader r) {
    var from = r.member("from");
    long term = r.i64("term");
    long requestId = r.i64("requestId");
    String error = r.string("error");
    String detail = r.string("detail");
    boolean hasLeader = r.bool("hasLeader");
    var leader = hasLeader ? r.member("leader") : null;
    long configIndex = r.i64("configIndex");
    List<MemberId> voters = readMembers(r, "voters");
    List<MemberId> learners = readMembers(r, "learners");
    return new ChangeResponse(
        from, term, requestId, error, detail, leader, configIndex, voters, learners);
  }

  private static List<MemberId> readMembers(WireReader r, String what) {
    int count = r.i32(what + " count");
    if (count < 0 || count * 3L > r.remaining()) {
      throw new CodecException(what + " count " + count + " impossible in " + r.remaining()
          + " remaining bytes");
    }
    List<MemberId> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(r.member(what));
    }
    return out;
  }

  private static AppendEntries decodeAppendEntries(WireReader r) {
    var from = r.member("from");
    long term = r.i64("term");
    long prevLogIndex = r.i64("prevLogIndex");
    long prevLogTerm = r.i64("prevLogTerm");
    long leaderCommit = r.i64("leaderCommit");
    int count = r.i32("entry count");
    if (count < 0 || (long) count * ENTRY_BYTES_MIN > r.remaining()) {
      throw new CodecException("entry count " + count + " impossible in " + r.remaining()
          + " remaining bytes");
    }
    List<LogEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long entryTerm = r.i64("entry term");
      long entryIndex = r.i64("entry index");
      EntryType type = EntryType.ofCode(r.u8("entry type"));
      entries.add(new LogEntry(entryTerm, entryIndex, type, r.bytes("entry payload")));
    }
    return new AppendEntries(from, term, prevLogIndex, prevLogTerm, entries, leaderCommit);
  }
}
