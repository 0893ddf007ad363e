package io.graft.raft.transport;

import io.graft.raft.message.RaftMessage;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything that travels in one frame: a Raft message after the handshake, or one of the two
 * handshake messages. {@link RaftMessage} is sealed in its own package, so it is wrapped here.
 */
public sealed interface WireMessage
    permits WireMessage.Raft, WireMessage.Handshake, WireMessage.HandshakeReply,
        WireMessage.Probe {

  /**
   * "No incarnation": the handshake of a member without durable Raft state (tests, old builds).
   * Never written on the wire; a real incarnation is a random 128-bit id (see {@code
   * io.graft.raft.storage.MemberIncarnation}).
   */
  UUID NO_INCARNATION = new UUID(0, 0);

  /**
   * "No cluster epoch": a member that is in no configuration yet (new, waiting to be added) or no
   * longer in its latest one. It is never refused for its epoch. Never written on the wire.
   */
  long NO_EPOCH = 0;

  /** A Raft message carried after a successful handshake. */
  record Raft(RaftMessage message) implements WireMessage {
    public Raft {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * First frame on every connection, client to server. Its layout is frozen across protocol
   * versions so that any server can read it and answer with a reason. {@code info} is an optional
   * trailing announcement about the client (the Neo4j plugin sends its Bolt address); empty is
   * encoded as nothing, so the frozen prefix is byte-identical and readers ignore what they lack.
   * {@code incarnation} is the id of the client's Raft state ({@link #NO_INCARNATION} if none): a
   * peer that knew the member under another incarnation refuses it, because a member whose state
   * was reset may have forgotten its vote (Raft §5.2: at most one vote per term). {@code epoch}
   * is the cluster incarnation of the configuration the client is a member of ({@link #NO_EPOCH}
   * if none): members of two different epochs refuse each other (after {@code
   * forceNewCluster}, the old members must not be merged into the re-formed cluster).
   */
  record Handshake(
      int protocolVersion,
      String clusterId,
      io.graft.raft.api.MemberId member,
      String info,
      UUID incarnation,
      long epoch)
      implements WireMessage {
    public Handshake {
      Objects.requireNonNull(clusterId, "clusterId");
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(info, "info");
      Objects.requireNonNull(incarnation, "incarnation");
      HandshakeCodec.checkVersionRange(protocolVersion);
      HandshakeCodec.checkEpoch(incarnation, epoch);
    }

    public Handshake(int protocolVersion, String clusterId, io.graft.raft.api.MemberId member,
        String info, UUID incarnation) {
      this(protocolVersion, clusterId, member, info, incarnation, NO_EPOCH);
    }

    public Handshake(
        int protocolVersion, String clusterId, io.graft.raft.api.MemberId member, String info) {
      this(protocolVersion, clusterId, member, info, NO_INCARNATION);
    }

    public Handshake(int protocolVersion, String clusterId, io.graft.raft.api.MemberId member) {
      this(protocolVersion, clusterId, member, "");
    }
  }

  /**
   * The server's answer to {@link Handshake}: {@code member} is the server's own id (so a client
   * can detect a wrong address book entry); {@code reason} is empty when accepted. Frozen layout,
   * plus the same optional trailing {@code info} announcement and {@code incarnation} (the
   * server's) as {@link Handshake}.
   */
  record HandshakeReply(
      int protocolVersion,
      boolean accepted,
      io.graft.raft.api.MemberId member,
      String reason,
      String info,
      UUID incarnation,
      long epoch)
      implements WireMessage {
    public HandshakeReply {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(info, "info");
      Objects.requireNonNull(incarnation, "incarnation");
      HandshakeCodec.checkVersionRange(protocolVersion);
      HandshakeCodec.checkEpoch(incarnation, epoch);
    }

    public HandshakeReply(int protocolVersion, boolean accepted,
        io.graft.raft.api.MemberId member, String reason, String info, UUID incarnation) {
      this(protocolVersion, accepted, member, reason, info, incarnation, NO_EPOCH);
    }

    public HandshakeReply(
        int protocolVersion,
        boolean accepted,
        io.graft.raft.api.MemberId member,
        String reason,
        String info) {
      this(protocolVersion, accepted, member, reason, info, NO_INCARNATION);
    }

    public HandshakeReply(
        int protocolVersion, boolean accepted, io.graft.raft.api.MemberId member, String reason) {
      this(protocolVersion, accepted, member, reason, "");
    }
  }

  /**
   * A question instead of a handshake: "who are you?". Sent as the only frame of a short-lived
   * connection by a process that is not (yet) a member, e.g. a new server learning the cluster's
   * database identity from a peer's announcement before it creates its database. The server
   * answers with a {@link HandshakeReply} (its id, announcement, incarnation and epoch; refused if
   * the cluster id differs) and closes; nothing is recorded about the asker. Frozen layout.
   */
  record Probe(int protocolVersion, String clusterId, io.graft.raft.api.MemberId member)
      implements WireMessage {
    public Probe {
      Objects.requireNonNull(clusterId, "clusterId");
      Objects.requireNonNull(member, "member");
      HandshakeCodec.checkVersionRange(protocolVersion);
    }
  }
}
