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

/**
 * The wire format of one frame payload: {@code [version u8][type u8][body]}, big-endian. Type codes
 * are explicit constants pinned by a test, never {@code ordinal()} (docs/STYLE.md §3.15): they are
 * the compatibility contract between members of different releases. Log entries carry {@link
 * EntryType#code()}; member ids and strings are u16-length-prefixed UTF-8; byte arrays are
 * u32-length-prefixed.
 *
 * <p>The handshake messages have a frozen layout and are decoded whatever the version byte says, so
 * a member can tell a peer speaking another version <em>why</em> it is refused ({@link
 * HandshakeCodec}). Every other type is only decoded at {@link #PROTOCOL_VERSION}; their bodies
 * are written by {@link BodyEncoder} and read by {@link BodyDecoder}. Decoding is strict: unknown
 * codes, bad booleans, invalid values and trailing bytes all throw {@link CodecException}.
 * Stateless and thread-safe.
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
  public static final int TYPE_PROBE = 66;

  /** The pinned wire type code of {@code message}. */
  public static int typeCode(RaftMessage message) {
    return message.accept(TYPE_OF);
  }

  /** Encodes any wire message to a frame payload (version, type, body). */
  public byte[] encode(WireMessage message) {
    if (message instanceof WireMessage.Raft raft) {
      return encode(raft.message());
    }
    return HandshakeCodec.encode(message);
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
    if (type == TYPE_HANDSHAKE || type == TYPE_HANDSHAKE_REPLY || type == TYPE_PROBE) {
      result = HandshakeCodec.decode(version, type, r);
    } else if (version != PROTOCOL_VERSION) {
      throw new CodecException("unsupported protocol version " + version + " for message type "
          + type + " (this member speaks " + PROTOCOL_VERSION + ")");
    } else {
      result = new WireMessage.Raft(BodyDecoder.decode(type, r));
    }
    r.expectEnd("message type " + type);
    return result;
  }

  private static int estimateBytes(RaftMessage message) {
    if (message instanceof AppendEntries ae) {
      // Exact, so that the writer's array is the result (no trailing copy of a large batch).
      long total = 2 + memberBytes(ae.from()) + 4 * 8 + 4;
      for (LogEntry e : ae.entries()) {
        total += e.payload().length + BodyDecoder.ENTRY_BYTES_MIN;
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
