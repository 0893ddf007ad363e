package io.graft.raft.transport;

import io.graft.raft.message.RaftMessage;
import java.util.Objects;

/**
 * Everything that travels in one frame: a Raft message after the handshake, or one of the two
 * handshake messages. {@link RaftMessage} is sealed in its own package, so it is wrapped here.
 */
public sealed interface WireMessage
    permits WireMessage.Raft, WireMessage.Handshake, WireMessage.HandshakeReply {

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
   */
  record Handshake(
      int protocolVersion, String clusterId, io.graft.raft.api.MemberId member, String info)
      implements WireMessage {
    public Handshake {
      Objects.requireNonNull(clusterId, "clusterId");
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(info, "info");
      MessageCodec.checkVersionRange(protocolVersion);
    }

    public Handshake(int protocolVersion, String clusterId, io.graft.raft.api.MemberId member) {
      this(protocolVersion, clusterId, member, "");
    }
  }

  /**
   * The server's answer to {@link Handshake}: {@code member} is the server's own id (so a client
   * can detect a wrong address book entry); {@code reason} is empty when accepted. Frozen layout,
   * plus the same optional trailing {@code info} announcement as {@link Handshake}.
   */
  record HandshakeReply(
      int protocolVersion,
      boolean accepted,
      io.graft.raft.api.MemberId member,
      String reason,
      String info)
      implements WireMessage {
    public HandshakeReply {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(info, "info");
      MessageCodec.checkVersionRange(protocolVersion);
    }

    public HandshakeReply(
        int protocolVersion, boolean accepted, io.graft.raft.api.MemberId member, String reason) {
      this(protocolVersion, accepted, member, reason, "");
    }
  }
}
