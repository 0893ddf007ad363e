package io.graft.raft.transport.netty;

import io.graft.raft.api.RaftLogging;
import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Client side of one outbound connection: sends the handshake on connect and waits (bounded) for
 * the reply. Connections are one-directional: after the handshake the server never writes, so any
 * further frame is a protocol error that closes the connection (the peer channel redials).
 */
final class ClientHandler extends SimpleChannelInboundHandler<WireMessage> {
  private static final Logger log = RaftLogging.logger(ClientHandler.class);

  private final PeerChannel peer;
  private final NettyTransportConfig config;
  private final MessageCodec codec;
  private final TransportCounters counters;
  private final PeerAnnouncements announcements;
  private final IdentityGuard identity;
  private boolean handshakeDone;

  ClientHandler(PeerChannel peer, NettyTransportConfig config, MessageCodec codec,
      TransportCounters counters, PeerAnnouncements announcements, IdentityGuard identity) {
    this.announcements = announcements;
    this.identity = identity;
    this.peer = peer;
    this.config = config;
    this.codec = codec;
    this.counters = counters;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new OutboundFrame(codec.encode(new WireMessage.Handshake(
        MessageCodec.PROTOCOL_VERSION, config.clusterId(), config.self(),
        announcements.local(), identity.local(), identity.localEpoch()))));
    ctx.executor().schedule(() -> {
      if (!handshakeDone && ctx.channel().isActive()) {
        badFrame(ctx, "no handshake reply from " + peer.member() + " within "
            + config.connectTimeoutMillis() + " ms");
      }
    }, config.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WireMessage message) {
    if (!ctx.channel().isActive()) {
      return; // closed for an earlier frame of the same read
    }
    if (handshakeDone || !(message instanceof WireMessage.HandshakeReply reply)) {
      badFrame(ctx, "unexpected " + message.getClass().getSimpleName() + " from server "
          + peer.member());
      return;
    }
    handshakeDone = true;
    if (!reply.accepted()) {
      refused(ctx, "refused by " + reply.member() + ": " + reply.reason());
    } else if (!reply.member().equals(peer.member())) {
      refused(ctx, "address " + peer.address().getHostString() + ":" + peer.address().getPort()
          + " answers as member " + reply.member()
          + ", expected " + peer.member());
    } else {
      // The server's identity is checked too: a reset member must not get our votes or entries
      // through our outbound connection either (Raft §5.2). Not used unless admitted.
      String reason = identity.checkEpoch(reply.member(), reply.epoch());
      if (reason == null) {
        reason = announcements.refusal(reply.member(), reply.info());
      }
      if (reason == null) {
        reason = identity.check(reply.member(), reply.incarnation());
      }
      if (reason != null) {
        refused(ctx, reason);
        return;
      }
      announcements.heard(reply.member(), reply.info());
      peer.onHandshakeAccepted(ctx.channel());
    }
  }

  private void refused(ChannelHandlerContext ctx, String reason) {
    counters.handshakeRejected(reason);
    String warned = peer.onHandshakeRefused(reason);
    if (warned != null) {
      identity.reportRefusal(warned);
    }
    ctx.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.scheduleDrain();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    NettyTransport.handleException(ctx, cause, counters, log);
  }

  private void badFrame(ChannelHandlerContext ctx, String reason) {
    NettyTransport.handleException(ctx, new CodecException(reason), counters, log);
  }
}
