package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Server side of one inbound connection. The first frame must be a {@link WireMessage.Handshake}
 * with this build's protocol version and cluster id; until it is accepted nothing else is
 * delivered; a member known under another incarnation is refused ({@link IdentityGuard}), and
 * the reason travels in the reply so the refused member logs it too. With TLS on ({@link
 * TlsPipeline}) the handshake frame only arrives once the peer's certificate was accepted; a
 * plaintext handshake is read only to refuse it, and a TLS client of a plaintext member is refused
 * with a plaintext reply. Afterwards only Raft messages are expected, and a message whose {@code
 * from()} is not the member named in the handshake is dropped (a connection speaks for exactly one
 * member). Every
 * protocol violation closes this connection only, with a logged reason; the node is untouched.
 * Inbound messages are handed to the consumer on this event loop thread; it only enqueues.
 */
final class ServerHandler extends SimpleChannelInboundHandler<WireMessage> {
  private final Logger log;
  private final NettyTransportConfig config;
  private final MessageCodec codec;
  private final TransportCounters counters;
  private final Consumer<RaftMessage> inbound;
  private final PeerAnnouncements announcements;
  private final IdentityGuard identity;
  private final TlsPipeline tls;
  private MemberId remote;
  private boolean warnedSpoofing;
  /** The first bytes were plaintext although this member requires TLS: refuse the handshake. */
  private boolean plaintextPeer;
  /** The peer's certificate once the TLS handshake succeeded, else null. */
  private X509Certificate peerCertificate;

  ServerHandler(NettyTransportConfig config, MessageCodec codec, TransportCounters counters,
      Consumer<RaftMessage> inbound, PeerAnnouncements announcements, IdentityGuard identity,
      TlsPipeline tls, Logger log) {
    this.log = log;
    this.config = config;
    this.tls = tls;
    this.identity = identity;
    this.announcements = announcements;
    this.codec = codec;
    this.counters = counters;
    this.inbound = inbound;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.executor().schedule(() -> {
      if (remote == null && ctx.channel().isActive()) {
        badFrame(ctx, "no handshake within " + config.connectTimeoutMillis() + " ms");
      }
    }, config.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WireMessage message) {
    if (!ctx.channel().isActive()) {
      return; // closed for an earlier frame of the same read
    }
    if (remote == null) {
      if (message instanceof WireMessage.Handshake handshake) {
        onHandshake(ctx, handshake);
      } else if (message instanceof WireMessage.Probe probe) {
        onProbe(ctx, probe);
      } else {
        badFrame(ctx, "message before handshake: " + message.getClass().getSimpleName());
      }
      return;
    }
    if (!(message instanceof WireMessage.Raft raft)) {
      badFrame(ctx, "unexpected " + message.getClass().getSimpleName() + " after handshake");
      return;
    }
    RaftMessage m = raft.message();
    if (!m.from().equals(remote)) {
      counters.inboundDropped.incrementAndGet();
      // WARN once per connection, so a buggy or hostile peer cannot flood the log.
      if (!warnedSpoofing) {
        warnedSpoofing = true;
        log.warn("Dropped {} from {} claiming to be from {} on {} (further drops at DEBUG)",
            m.getClass().getSimpleName(), remote, m.from(), ctx.channel().remoteAddress());
      } else {
        log.debug("Dropped {} from {} claiming to be from {}", m.getClass().getSimpleName(),
            remote, m.from());
      }
      return;
    }
    counters.received.incrementAndGet();
    try {
      inbound.accept(m);
    } catch (RuntimeException e) {
      log.error("Inbound consumer failed on {} from {}", m.getClass().getSimpleName(), remote, e);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == TlsPipeline.Sniffed.PLAINTEXT_PEER) {
      plaintextPeer = true;
    } else if (event == TlsPipeline.Sniffed.TLS_PEER) {
      String where = String.valueOf(ctx.channel().remoteAddress());
      logRefusal("Refused TLS Raft connection from " + where,
          tls.refusalOfTlsPeer(config.self().value(), "the peer"));
      reply(ctx, tls.refusalOfTlsPeer(config.self().value(), "this member"));
    } else if (event instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        peerCertificate = peerSubject(ctx);
      } else if (ctx.channel().isActive() || remote == null) {
        String where = String.valueOf(ctx.channel().remoteAddress());
        logRefusal("Refused Raft connection from " + where + " in the TLS handshake",
            TlsFailures.inbound(done.cause(), tls.tls().describe()));
        ctx.close();
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  private static X509Certificate peerSubject(ChannelHandlerContext ctx) {
    try {
      Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession()
          .getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
    } catch (javax.net.ssl.SSLPeerUnverifiedException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Logs a refusal at WARN when its reason differs from the previous one (a misconfigured peer
   * redials every few seconds), else at DEBUG; counts it and hands WARN lines to the host sink.
   */
  private void logRefusal(String what, String reason) {
    // A misconfigured peer redials every few seconds: WARN when the reason changes, else DEBUG
    // (compared with this side's last inbound refusal only, not the outbound ones).
    boolean repeated = !counters.inboundRefused(reason);
    if (repeated) {
      log.debug("{} again: {}", what, reason);
    } else {
      log.warn("{}: {}", what, reason);
      identity.reportRefusal(what + ": " + reason);
    }
  }

  private void reply(ChannelHandlerContext ctx, String reason) {
    ctx.writeAndFlush(new OutboundFrame(codec.encode(new WireMessage.HandshakeReply(
            MessageCodec.PROTOCOL_VERSION, false, config.self(), reason))))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void onHandshake(ChannelHandlerContext ctx, WireMessage.Handshake handshake) {
    if (plaintextPeer) {
      String reason = tls.refusalOfPlaintextPeer(config.self().value(),
          handshake.member().value());
      logRefusal("Refused plaintext Raft connection from " + handshake.member() + " at "
          + ctx.channel().remoteAddress(), reason);
      reply(ctx, reason);
      return;
    }
    String reason = refusal(handshake);
    if (reason == null && tls.enabled()) {
      reason = peerCertificate == null ? "no certificate after the TLS handshake"
          : tls.tls().refusePeer(handshake.member().value(), peerCertificate);
    }
    if (reason == null) {
      reason = identity.checkEpoch(handshake.member(), handshake.epoch());
    }
    if (reason == null) {
      reason = announcements.refusal(handshake.member(), handshake.info());
    }
    if (reason == null) {
      // Last, so that only a peer otherwise acceptable is recorded (Raft §5.2, IdentityGuard).
      reason = identity.check(handshake.member(), handshake.incarnation());
    }
    if (reason == null) {
      remote = handshake.member();
      ctx.pipeline().get(FrameDecoder.class).maxFrameBytes(config.maxFrameBytes());
      log.info("Accepted Raft connection from {} at {}{}", remote, ctx.channel().remoteAddress(),
          peerCertificate == null ? ""
              : " over TLS, certificate " + peerCertificate.getSubjectX500Principal().getName());
      announcements.heard(remote, handshake.info());
      ctx.writeAndFlush(new OutboundFrame(codec.encode(new WireMessage.HandshakeReply(
          MessageCodec.PROTOCOL_VERSION, true, config.self(), "", announcements.local(),
          identity.local(), identity.localEpoch()))));
      return;
    }
    logRefusal("Refused Raft connection from " + handshake.member() + " at "
        + ctx.channel().remoteAddress(), reason);
    reply(ctx, reason);
  }

  /** Answers "who are you?" (announcement, incarnation, epoch) and closes; records nothing. */
  private void onProbe(ChannelHandlerContext ctx, WireMessage.Probe probe) {
    if (plaintextPeer) {
      // A TLS member tells nothing about itself to a plaintext asker (the same rule as a
      // handshake): a joining server of a TLS cluster probes over TLS.
      String reason = tls.refusalOfPlaintextPeer(config.self().value(), probe.member().value());
      logRefusal("Refused plaintext Raft connection from " + probe.member() + " (a probe) at "
          + ctx.channel().remoteAddress(), reason);
      reply(ctx, reason);
      return;
    }
    boolean sameCluster = probe.clusterId().equals(config.clusterId());
    WireMessage.HandshakeReply reply = sameCluster
        ? new WireMessage.HandshakeReply(MessageCodec.PROTOCOL_VERSION, true, config.self(), "",
            announcements.local(), identity.local(), identity.localEpoch())
        : new WireMessage.HandshakeReply(MessageCodec.PROTOCOL_VERSION, false, config.self(),
            "cluster id '" + probe.clusterId() + "' does not match '" + config.clusterId()
                + "' of member " + config.self());
    log.debug("Answered a probe from {} at {}", probe.member(), ctx.channel().remoteAddress());
    ctx.writeAndFlush(new OutboundFrame(codec.encode(reply)))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private String refusal(WireMessage.Handshake handshake) {
    if (handshake.protocolVersion() != MessageCodec.PROTOCOL_VERSION) {
      return "protocol version " + handshake.protocolVersion() + " not supported (member "
          + config.self() + " speaks " + MessageCodec.PROTOCOL_VERSION + ")";
    }
    if (!handshake.clusterId().equals(config.clusterId())) {
      return "cluster id '" + handshake.clusterId() + "' does not match '" + config.clusterId()
          + "' of member " + config.self();
    }
    if (handshake.member().equals(config.self())) {
      return "member id " + handshake.member() + " is this member's own id";
    }
    return null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (remote == null && TlsFailures.tlsFailure(cause) != null) {
      // A failed TLS handshake: logged with its reason by userEventTriggered.
      log.debug("TLS failure on {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
      return;
    }
    NettyTransport.handleException(ctx, cause, counters, log);
  }

  private void badFrame(ChannelHandlerContext ctx, String reason) {
    NettyTransport.handleException(ctx, new CodecException(reason), counters, log);
  }

  static boolean isProtocolError(Throwable cause) {
    return cause instanceof CodecException
        || (cause instanceof DecoderException && cause.getCause() instanceof CodecException);
  }
}
