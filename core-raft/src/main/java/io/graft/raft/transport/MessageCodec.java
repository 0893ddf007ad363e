package io.graft.raft.transport;

import io.graft.raft.message.AppendEntries;
import io.graft.raft.api.MemberId;
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
import java.util.UUID;

/**
 * The wire format of one frame payload: {@code [version u8][type u8][body]}, big-endian. Type codes
 * are explicit constants pinned by a test, never {@code ordinal()} (docs/STYLE.md §3.15): they are
 * the compatibility contract between members of different releases. Log entries carry {@link
 * EntryType#code()}; member ids and strings are u16-length-prefixed UTF-8; byte arrays are
 * u32-length-prefixed.
 *
 * <p>The handshake messages have a frozen layout and are decoded whatever the version byte says, so
 * a member can tell a peer speaking another version <em>why</em> it is refused. Every other type is
 * only decoded at {@link #PROTOCOL_VERSION}. Decoding is strict: unknown codes, bad booleans,
 * invalid values and trailing bytes all throw {@link CodecException}. Stateless and thread-safe.
 */
public final class MessageCodec {
  /** The protocol version this build speaks. Bump it on any incompatible body change. */
  public static final int PROTOCOL_VERSION = 3;

  public static final int TYPE_APPEND_ENTRIES = 1;
  public static final int TYPE_APPEND_ENTRIES_RESPONSE = 2;
  public static final int TYPE_REQUEST_VOTE = 3;
  public static final int TYPE_REQUEST_VOTE_RESPONSE = 4;
  public static final int TYPE_HEARTBEAT = 5;
  public static final int TYPE_HEARTBEAT_RESPONSE = 6;
  public static final int TYPE_TIMEOUT_NOW = 7;
  public static final int TYPE_INSTALL_SNAPSHOT = 8;
  public static final int TYPE_INSTALL_SNAPSHOT_RESPONSE = 9;
  public static final int TYPE_CHANGE_REQUEST = 10;
  public static final int TYPE_CHANGE_RESPONSE = 11;
  /** Since version 3. */
  public static final int TYPE_COMMIT_NOTICE = 12;
  public static final int TYPE_HANDSHAKE = 64;
  public static final int TYPE_HANDSHAKE_REPLY = 65;

  /** "GRFT": guards against a non-graft client (or a stray protocol) on the Raft port. */
  static final int HANDSHAKE_MAGIC = 0x47524654;

  /** Smallest encoded LogEntry (term, index, type, payload length): bounds the entry count. */
  private static final int ENTRY_BYTES_MIN = 8 + 8 + 1 + 4;

  static void checkVersionRange(int version) {
    if (version < 1 || version > 255) {
      throw new IllegalArgumentException("protocol version must be 1..255: " + version);
    }
  }

  /** The pinned wire type code of {@code message}. */
  public static int typeCode(RaftMessage message) {
    return message.accept(TYPE_OF);
  }

  /** Encodes any wire message to a frame payload (version, type, body). */
  public byte[] encode(WireMessage message) {
    if (message instanceof WireMessage.Raft raft) {
      return encode(raft.message());
    }
    WireWriter w = new WireWriter(64);
    if (message instanceof WireMessage.Handshake h) {
      w.u8(h.protocolVersion());
      w.u8(TYPE_HANDSHAKE);
      w.i32(HANDSHAKE_MAGIC);
      w.string(h.clusterId());
      w.member(h.member());
      trailer(w, h.info(), h.incarnation());
    } else {
      WireMessage.HandshakeReply r = (WireMessage.HandshakeReply) message;
      w.u8(r.protocolVersion());
      w.u8(TYPE_HANDSHAKE_REPLY);
      w.i32(HANDSHAKE_MAGIC);
      w.bool(r.accepted());
      w.member(r.member());
      w.string(r.reason());
      trailer(w, r.info(), r.incarnation());
    }
    return w.toByteArray();
  }

  /**
   * The optional handshake trailer {@code [info string [incarnation 16 bytes]]}: each part is
   * appended only when it (or a later part) is present, so a handshake without them keeps the
   * frozen version-1 layout byte for byte, and a version-1 reader can parse a refusal sent to it.
   */
  private static void trailer(WireWriter w, String info, UUID incarnation) {
    boolean hasIncarnation = !incarnation.equals(WireMessage.NO_INCARNATION);
    if (!info.isEmpty() || hasIncarnation) {
      w.string(info);
    }
    if (hasIncarnation) {
      w.i64(incarnation.getMostSignificantBits());
      w.i64(incarnation.getLeastSignificantBits());
    }
  }

  private static String optionalInfo(WireReader r) {
    return r.remaining() > 0 ? r.string("info") : "";
  }

  private static UUID optionalIncarnation(WireReader r) {
    if (r.remaining() == 0) {
      return WireMessage.NO_INCARNATION;
    }
    UUID incarnation = new UUID(r.i64("incarnation"), r.i64("incarnation"));
    if (incarnation.equals(WireMessage.NO_INCARNATION)) {
      throw new CodecException("incarnation 0 is invalid (absent is encoded as nothing)");
    }
    return incarnation;
  }

  /** Encodes a Raft message to a frame payload at {@link #PROTOCOL_VERSION}. */
  public byte[] encode(RaftMessage message) {
    return encode(message, 0);
  }

  /**
   * As {@link #encode(RaftMessage)}, after {@code headroom} zero bytes (for a frame header the
   * caller fills in): one array of exactly {@code headroom} + payload bytes, the payload copied
   * into it once.
   */
  public byte[] encode(RaftMessage message, int headroom) {
    WireWriter w = new WireWriter(estimateBytes(message), headroom);
    w.u8(PROTOCOL_VERSION);
    w.u8(typeCode(message));
    message.accept(new BodyEncoder(w));
    return w.toByteArray();
  }

  /** Decodes one frame payload; any malformed input throws {@link CodecException}. */
  public WireMessage decode(byte[] payload) {
    WireReader r = new WireReader(payload);
    int version = r.u8("version");
    int type = r.u8("type");
    WireMessage result;
    if (type == TYPE_HANDSHAKE || type == TYPE_HANDSHAKE_REPLY) {
      result = decodeHandshake(version, type, r);
    } else if (version != PROTOCOL_VERSION) {
      throw new CodecException("unsupported protocol version " + version + " for message type "
          + type + " (this member speaks " + PROTOCOL_VERSION + ")");
    } else {
      result = new WireMessage.Raft(decodeRaft(type, r));
    }
    r.expectEnd("message type " + type);
    return result;
  }

  private static WireMessage decodeHandshake(int version, int type, WireReader r) {
    if (version < 1) {
      throw new CodecException("protocol version 0 is invalid");
    }
    int magic = r.i32("magic");
    if (magic != HANDSHAKE_MAGIC) {
      throw new CodecException("bad handshake magic 0x" + Integer.toHexString(magic));
    }
    if (type == TYPE_HANDSHAKE) {
      String clusterId = r.string("clusterId");
      var member = r.member("member");
      String info = optionalInfo(r);
      return new WireMessage.Handshake(version, clusterId, member, info, optionalIncarnation(r));
    }
    boolean accepted = r.bool("accepted");
    var member = r.member("member");
    String reason = r.string("reason");
    String info = optionalInfo(r);
    return new WireMessage.HandshakeReply(
        version, accepted, member, reason, info, optionalIncarnation(r));
  }

  private static RaftMessage decodeRaft(int type, WireReader r) {
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

  private static int estimateBytes(RaftMessage message) {
    if (message instanceof AppendEntries ae) {
      // Exact, so that the writer's array is the result (no trailing copy of a large batch).
      long total = 2 + memberBytes(ae.from()) + 4 * 8 + 4;
      for (LogEntry e : ae.entries()) {
        total += e.payload().length + ENTRY_BYTES_MIN;
      }
      return (int) Math.min(total, Integer.MAX_VALUE - 16);
    }
    if (message instanceof InstallSnapshot s) {
      return 128 + s.data().length + s.configuration().length;
    }
    return 96;
  }

  /** Encoded size of a member id: u16 length + UTF-8. */
  private static int memberBytes(MemberId id) {
    String v = id.value();
    int bytes = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return 2 + bytes;
  }

  private static final RaftMessage.Handler<Integer> TYPE_OF = new RaftMessage.Handler<>() {
    @Override
    public Integer onAppendEntries(AppendEntries m) {
      return TYPE_APPEND_ENTRIES;
    }

    @Override
    public Integer onAppendEntriesResponse(AppendEntriesResponse m) {
      return TYPE_APPEND_ENTRIES_RESPONSE;
    }

    @Override
    public Integer onRequestVote(RequestVote m) {
      return TYPE_REQUEST_VOTE;
    }

    @Override
    public Integer onRequestVoteResponse(RequestVoteResponse m) {
      return TYPE_REQUEST_VOTE_RESPONSE;
    }

    @Override
    public Integer onHeartbeat(Heartbeat m) {
      return TYPE_HEARTBEAT;
    }

    @Override
    public Integer onHeartbeatResponse(HeartbeatResponse m) {
      return TYPE_HEARTBEAT_RESPONSE;
    }

    @Override
    public Integer onTimeoutNow(TimeoutNow m) {
      return TYPE_TIMEOUT_NOW;
    }

    @Override
    public Integer onInstallSnapshot(InstallSnapshot m) {
      return TYPE_INSTALL_SNAPSHOT;
    }

    @Override
    public Integer onInstallSnapshotResponse(InstallSnapshotResponse m) {
      return TYPE_INSTALL_SNAPSHOT_RESPONSE;
    }

    @Override
    public Integer onChangeRequest(ChangeRequest m) {
      return TYPE_CHANGE_REQUEST;
    }

    @Override
    public Integer onChangeResponse(ChangeResponse m) {
      return TYPE_CHANGE_RESPONSE;
    }

    @Override
    public Integer onCommitNotice(CommitNotice m) {
      return TYPE_COMMIT_NOTICE;
    }
  };
}
