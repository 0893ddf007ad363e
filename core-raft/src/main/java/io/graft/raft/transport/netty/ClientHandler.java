package io.graft.raft.transport.netty;

import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Client side of one outbound connection: sends the handshake on connect and waits (bounded) for
 * the reply. Connections are one-directional: after the handshake the server never writes, so any
 * further frame is a protocol error that closes the connection (the peer channel redials).
 *
 * <p>With TLS on ({@link TlsPipeline}) the handshake is sent only once the TLS handshake, with the
 * check of the peer's certificate, has succeeded; a failed TLS handshake, and a peer that answers
 * in plaintext, are refusals with a reason, logged like a refused handshake.
 */
final class ClientHandler extends SimpleChannelInboundHandler<WireMessage> {
  private final Logger log;
  private final PeerChannel peer;
  private final NettyTransportConfig config;
  private final MessageCodec codec;
  private final TransportCounters counters;
  private final PeerAnnouncements announcements;
  private final IdentityGuard identity;
  private final TlsPipeline tls;
  private boolean handshakeDone;
  /** The peer answered in plaintext although this member speaks TLS to it. */
  private boolean plaintextPeer;
  private boolean refused;

  ClientHandler(PeerChannel peer, NettyTransportConfig config, MessageCodec codec,
      TransportCounters counters, PeerAnnouncements announcements, IdentityGuard identity,
      TlsPipeline tls, Logger log) {
    this.log = log;
    this.tls = tls;
    this.announcements = announcements;
    this.identity = identity;
    this.peer = peer;
    this.config = config;
    this.codec = codec;
    this.counters = counters;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!tls.enabled()) {
      sendHandshake(ctx);
    }
    ctx.executor().schedule(() -> {
      if (!handshakeDone && ctx.channel().isActive()) {
        badFrame(ctx, "no handshake reply from " + peer.member() + " within "
            + config.connectTimeoutMillis() + " ms");
      }
    }, config.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  private void sendHandshake(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new OutboundFrame(codec.encode(new WireMessage.Handshake(
        MessageCodec.PROTOCOL_VERSION, config.clusterId(), config.self(),
        announcements.local(), identity.local(), identity.localEpoch()))));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == TlsPipeline.Sniffed.PLAINTEXT_PEER) {
      plaintextPeer = true;
    } else if (event instanceof SslHandshakeCompletionEvent done && !plaintextPeer) {
      if (done.isSuccess()) {
        sendHandshake(ctx);
      } else {
        refused(ctx, TlsFailures.outbound(done.cause(), peerName(), tls.tls().describe()));
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  private String peerName() {
    String where = peer.address().getHostString() + ":" + peer.address().getPort();
    return peer.member().value().equals(where) ? where : peer.member() + " at " + where;
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
    if (plaintextPeer) {
      // Never used: this member speaks to its peers only over TLS.
      refused(ctx, reply.accepted() ? peerName() + " answered without TLS, and this member"
          + " requires TLS (" + tls.tls().describe() + ")" : "refused by " + reply.member() + ": "
          + reply.reason());
    } else if (!reply.accepted()) {
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
    if (refused) {
      return; // one reason per connection: a TLS failure also arrives as an exception
    }
    refused = true;
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
    if (!handshakeDone && plaintextPeer) {
      refused(ctx, peerName() + " answered in plaintext, and this member requires TLS ("
          + tls.tls().describe() + "): " + cause.getMessage());
      return;
    }
    if (!handshakeDone && tls.enabled() && TlsFailures.tlsFailure(cause) != null) {
      // With TLS 1.3 a peer that distrusts our certificate says so after our handshake finished.
      refused(ctx, TlsFailures.outbound(cause, peerName(), tls.tls().describe()));
      return;
    }
    NettyTransport.handleException(ctx, cause, counters, log);
  }

  private void badFrame(ChannelHandlerContext ctx, String reason) {
    NettyTransport.handleException(ctx, new CodecException(reason), counters, log);
  }
}
