package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Asks a running member "who are you?" over its Raft port ({@link WireMessage.Probe}), on the
 * caller's thread with a plain blocking socket: no transport, no Raft state, nothing recorded on
 * either side. A server that is about to become a member uses it to read what the members
 * announce (for the Neo4j plugin: the replicated database's identity) before it has a transport.
 */
public final class PeerProbe {
  /** What the member answered: its id, its announcement, and the epoch it is bound to. */
  public record Answer(MemberId member, String info, long epoch) {}

  private static final int REPLY_BYTES_MAX = 64 * 1024;

  private PeerProbe() {}

  /**
   * @param address the member's "host:port" (its advertised Raft address)
   * @param self who is asking (for the member's debug log only)
   * @throws IOException unreachable, no answer within {@code timeoutMillis}, a malformed answer,
   *     or a refusal (another cluster id), with the reason
   */
  public static Answer ask(String address, String clusterId, MemberId self, int timeoutMillis)
      throws IOException {
    InetSocketAddress parsed = HostPort.peer(address);
    InetSocketAddress to = new InetSocketAddress(parsed.getHostString(), parsed.getPort());
    if (to.isUnresolved()) {
      throw new IOException("cannot resolve " + parsed.getHostString() + " (of " + address + ")");
    }
    MessageCodec codec = new MessageCodec();
    try (Socket socket = new Socket()) {
      socket.connect(to, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write(FrameFormat.frame(codec.encode(
          new WireMessage.Probe(MessageCodec.PROTOCOL_VERSION, clusterId, self))));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int length = in.readInt();
      int crc = in.readInt();
      if (length < FrameFormat.PAYLOAD_BYTES_MIN || length > REPLY_BYTES_MAX) {
        throw new IOException("malformed answer from " + address + ": frame of " + length
            + " bytes");
      }
      byte[] payload = new byte[length];
      in.readFully(payload);
      if (FrameFormat.crc32c(payload) != crc) {
        throw new IOException("malformed answer from " + address + ": bad checksum");
      }
      WireMessage reply;
      try {
        reply = codec.decode(payload);
      } catch (CodecException e) {
        throw new IOException("malformed answer from " + address + ": " + e.getMessage(), e);
      }
      if (!(reply instanceof WireMessage.HandshakeReply r)) {
        throw new IOException("unexpected answer from " + address + ": " + reply);
      }
      if (!r.accepted()) {
        throw new IOException("member " + r.member() + " at " + address + " refused: "
            + r.reason());
      }
      return new Answer(r.member(), r.info(), r.epoch());
    }
  }
}
