package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Server side of one inbound connection. The first frame must be a {@link WireMessage.Handshake}
 * with this build's protocol version and cluster id; until it is accepted nothing else is
 * delivered; a member known under another incarnation is refused ({@link IdentityGuard}), and
 * the reason travels in the reply so the refused member logs it too. Afterwards only Raft messages are expected, and a message whose {@code from()} is not
 * the member named in the handshake is dropped (a connection speaks for exactly one member). Every
 * protocol violation closes this connection only, with a logged reason; the node is untouched.
 * Inbound messages are handed to the consumer on this event loop thread; it only enqueues.
 */
final class ServerHandler extends SimpleChannelInboundHandler<WireMessage> {
  private static final Logger log = RaftLogging.logger(ServerHandler.class);

  private final NettyTransportConfig config;
  private final MessageCodec codec;
  private final TransportCounters counters;
  private final Consumer<RaftMessage> inbound;
  private final PeerAnnouncements announcements;
  private final IdentityGuard identity;
  private MemberId remote;
  private boolean warnedSpoofing;

  ServerHandler(NettyTransportConfig config, MessageCodec codec, TransportCounters counters,
      Consumer<RaftMessage> inbound, PeerAnnouncements announcements, IdentityGuard identity) {
    this.config = config;
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

  private void onHandshake(ChannelHandlerContext ctx, WireMessage.Handshake handshake) {
    String reason = refusal(handshake);
    if (reason == null) {
      // Last, so that only a peer otherwise acceptable is recorded (Raft §5.2, IdentityGuard).
      reason = identity.check(handshake.member(), handshake.incarnation());
    }
    if (reason == null) {
      remote = handshake.member();
      ctx.pipeline().get(FrameDecoder.class).maxFrameBytes(config.maxFrameBytes());
      log.info("Accepted Raft connection from {} at {}", remote, ctx.channel().remoteAddress());
      announcements.heard(remote, handshake.info());
      ctx.writeAndFlush(new OutboundFrame(codec.encode(new WireMessage.HandshakeReply(
          MessageCodec.PROTOCOL_VERSION, true, config.self(), "", announcements.local(),
          identity.local()))));
      return;
    }
    // A misconfigured peer redials every few seconds: WARN when the reason changes, else DEBUG.
    boolean repeated = !counters.inboundRefused(reason);
    if (repeated) {
      log.debug("Refused Raft connection from {} at {} again: {}", handshake.member(),
          ctx.channel().remoteAddress(), reason);
    } else {
      log.warn("Refused Raft connection from {} at {}: {}", handshake.member(),
          ctx.channel().remoteAddress(), reason);
      identity.reportRefusal("Refused Raft connection from " + handshake.member() + " at "
          + ctx.channel().remoteAddress() + ": " + reason);
    }
    ctx.writeAndFlush(new OutboundFrame(codec.encode(new WireMessage.HandshakeReply(
            MessageCodec.PROTOCOL_VERSION, false, config.self(), reason))))
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
