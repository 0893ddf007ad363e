package io.graft.raft.transport;

import static io.graft.raft.transport.MessageCodec.TYPE_HANDSHAKE;
import static io.graft.raft.transport.MessageCodec.TYPE_HANDSHAKE_REPLY;
import static io.graft.raft.transport.MessageCodec.TYPE_PROBE;

import java.util.UUID;

/**
 * The wire layout of the connection handshake ({@link WireMessage.Probe}, {@link
 * WireMessage.Handshake}, {@link WireMessage.HandshakeReply}): a frozen layout, decoded whatever
 * the version byte says, so a member can tell a peer speaking another version <em>why</em> it is
 * refused. {@link MessageCodec} dispatches here by type code. Stateless.
 */
final class HandshakeCodec {
  /** "GRFT": guards against a non-graft client (or a stray protocol) on the Raft port. */
  static final int HANDSHAKE_MAGIC = 0x47524654;

  private HandshakeCodec() {}

  /** An epoch travels only after an incarnation (the trailer's layout). */
  static void checkEpoch(UUID incarnation, long epoch) {
    if (epoch != WireMessage.NO_EPOCH && incarnation.equals(WireMessage.NO_INCARNATION)) {
      throw new IllegalArgumentException("an epoch needs an incarnation");
    }
  }

  static void checkVersionRange(int version) {
    if (version < 1 || version > 255) {
      throw new IllegalArgumentException("protocol version must be 1..255: " + version);
    }
  }

  /** Encodes a handshake message (any {@link WireMessage} but {@code Raft}). */
  static byte[] encode(WireMessage message) {
    WireWriter w = new WireWriter(64);
    if (message instanceof WireMessage.Probe p) {
      w.u8(p.protocolVersion());
      w.u8(TYPE_PROBE);
      w.i32(HANDSHAKE_MAGIC);
      w.string(p.clusterId());
      w.member(p.member());
    } else if (message instanceof WireMessage.Handshake h) {
      w.u8(h.protocolVersion());
      w.u8(TYPE_HANDSHAKE);
      w.i32(HANDSHAKE_MAGIC);
      w.string(h.clusterId());
      w.member(h.member());
      trailer(w, h.info(), h.incarnation(), h.epoch());
    } else {
      WireMessage.HandshakeReply r = (WireMessage.HandshakeReply) message;
      w.u8(r.protocolVersion());
      w.u8(TYPE_HANDSHAKE_REPLY);
      w.i32(HANDSHAKE_MAGIC);
      w.bool(r.accepted());
      w.member(r.member());
      w.string(r.reason());
      trailer(w, r.info(), r.incarnation(), r.epoch());
    }
    return w.toByteArray();
  }

  /** Decodes the body of a handshake message of {@code type} (the version already read). */
  static WireMessage decode(int version, int type, WireReader r) {
    if (version < 1) {
      throw new CodecException("protocol version 0 is invalid");
    }
    int magic = r.i32("magic");
    if (magic != HANDSHAKE_MAGIC) {
      throw new CodecException("bad handshake magic 0x" + Integer.toHexString(magic));
    }
    if (type == TYPE_PROBE) {
      return new WireMessage.Probe(version, r.string("clusterId"), r.member("member"));
    }
    if (type == TYPE_HANDSHAKE) {
      String clusterId = r.string("clusterId");
      var member = r.member("member");
      String info = optionalInfo(r);
      UUID incarnation = optionalIncarnation(r);
      return new WireMessage.Handshake(version, clusterId, member, info, incarnation,
          incarnation.equals(WireMessage.NO_INCARNATION) ? WireMessage.NO_EPOCH
              : optionalEpoch(r));
    }
    boolean accepted = r.bool("accepted");
    var member = r.member("member");
    String reason = r.string("reason");
    String info = optionalInfo(r);
    UUID incarnation = optionalIncarnation(r);
    return new WireMessage.HandshakeReply(version, accepted, member, reason, info, incarnation,
        incarnation.equals(WireMessage.NO_INCARNATION) ? WireMessage.NO_EPOCH
            : optionalEpoch(r));
  }

  /**
   * The optional handshake trailer {@code [info string [incarnation 16 bytes [epoch 8 bytes]]]}:
   * each part is appended only when it (or a later part) is present, so a handshake without them
   * keeps the frozen version-1 layout byte for byte, and a version-1 reader can parse a refusal
   * sent to it.
   */
  private static void trailer(WireWriter w, String info, UUID incarnation, long epoch) {
    boolean hasIncarnation = !incarnation.equals(WireMessage.NO_INCARNATION);
    if (!info.isEmpty() || hasIncarnation) {
      w.string(info);
    }
    if (hasIncarnation) {
      w.i64(incarnation.getMostSignificantBits());
      w.i64(incarnation.getLeastSignificantBits());
    }
    if (epoch != WireMessage.NO_EPOCH) {
      w.i64(epoch);
    }
  }

  private static long optionalEpoch(WireReader r) {
    if (r.remaining() == 0) {
      return WireMessage.NO_EPOCH;
    }
    long epoch = r.i64("epoch");
    if (epoch == WireMessage.NO_EPOCH) {
      throw new CodecException("epoch 0 is invalid (absent is encoded as nothing)");
    }
    return epoch;
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
}
