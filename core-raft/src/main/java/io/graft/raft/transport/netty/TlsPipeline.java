package io.graft.raft.transport.netty;

import io.graft.raft.api.TransportTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Where TLS enters a {@link NettyTransport}'s pipelines, and what a member says when its peer
 * disagrees about TLS. With TLS on, every connection is TLS in both directions and nothing of the
 * Raft protocol (not even the handshake naming the cluster) is read or written before the TLS
 * handshake, including the peer's certificate check, has succeeded.
 *
 * <p>Both sides sniff the first bytes a peer sends, so a TLS member and a plaintext member refuse
 * each other with a reason instead of a bare reset: a TLS record starts with a content-type byte
 * of 20..23, a graft frame with the high byte of a small length (0).
 *
 * <ul>
 *   <li>Server with TLS, plaintext client: the client's handshake is read in plaintext only to
 *       refuse it, with a reply saying this member requires TLS ({@link Sniffed#PLAINTEXT_PEER}).
 *   <li>Server without TLS, TLS client: refused at once with a plaintext reply saying this member
 *       runs without TLS ({@link Sniffed#TLS_PEER}).
 *   <li>Client with TLS, plaintext answer: the TLS engine is removed so the plaintext refusal can
 *       be decoded and logged; the connection is never used ({@link Sniffed#PLAINTEXT_PEER}).
 * </ul>
 */
final class TlsPipeline {
  /** What the first bytes of a connection showed, as a user event for the protocol handlers. */
  enum Sniffed {
    TLS_PEER,
    PLAINTEXT_PEER
  }

  static final String SSL_HANDLER = "tls";
  private static final int TLS_RECORD_HEADER_BYTES = 5;

  private final TransportTls tls;
  private final String setting;

  /**
   * @param tls null for a plaintext transport
   * @param setting how an operator turns TLS on, named in refusals (e.g. a configuration key)
   */
  TlsPipeline(TransportTls tls, String setting) {
    this.tls = tls;
    this.setting = setting;
  }

  boolean enabled() {
    return tls != null;
  }

  TransportTls tls() {
    return tls;
  }

  /** For the "listening" line: how connections are protected. */
  String describe() {
    return tls == null ? "plaintext (no TLS: " + setting + " is off)"
        : "mutual TLS (" + tls.describe() + ")";
  }

  /** First handler of an accepted connection. */
  ByteToMessageDecoder serverSniffer(long handshakeTimeoutMillis) {
    return new ServerSniffer(handshakeTimeoutMillis);
  }

  /** With TLS on, puts the sniffer and the TLS engine in front of an outbound connection. */
  void addClientHandlers(ChannelPipeline pipeline, InetSocketAddress peer,
      long handshakeTimeoutMillis) {
    if (tls == null) {
      return;
    }
    SslHandler ssl = tls.clientContext().newHandler(pipeline.channel().alloc(),
        peer.getHostString(), peer.getPort());
    if (tls.verifyHostname()) {
      SSLEngine engine = ssl.engine();
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(parameters);
    }
    ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    pipeline.addLast("sniff", new ClientSniffer());
    pipeline.addLast(SSL_HANDLER, ssl);
  }

  /** A TLS member refusing a plaintext client: the reply and the refusing member's log line. */
  String refusalOfPlaintextPeer(String self, String peer) {
    return "member " + self + " requires TLS (" + setting + "=true there) and " + peer
        + " connected without TLS: members must agree; enable " + setting + " (with its"
        + " certificates) on " + peer + ", or turn TLS off on every member";
  }

  /**
   * A plaintext member refusing a TLS client, in the reply ({@code peer} = "this member") and in
   * the refusing member's log (the peer's address).
   */
  String refusalOfTlsPeer(String self, String peer) {
    return "member " + self + " runs without TLS (" + setting + " is not true there) and " + peer
        + " connected with TLS: members must agree; enable " + setting + " on " + self
        + ", or turn it off on " + peer;
  }

  /** Replaces itself by the TLS engine, or removes itself, after the first bytes. */
  private final class ServerSniffer extends ByteToMessageDecoder {
    private final long handshakeTimeoutMillis;

    ServerSniffer(long handshakeTimeoutMillis) {
      this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < TLS_RECORD_HEADER_BYTES) {
        return;
      }
      boolean tlsRecord = SslHandler.isEncrypted(in, false);
      if (tlsRecord && tls != null) {
        SslHandler ssl = tls.serverContext().newHandler(ctx.alloc());
        ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        ctx.pipeline().replace(this, SSL_HANDLER, ssl);
      } else if (tlsRecord) {
        // A TLS client of a plaintext member: nothing it sends can be read; refuse and drop.
        in.skipBytes(in.readableBytes());
        ctx.fireUserEventTriggered(Sniffed.TLS_PEER);
      } else {
        if (tls != null) {
          ctx.fireUserEventTriggered(Sniffed.PLAINTEXT_PEER);
        }
        ctx.pipeline().remove(this);
      }
    }
  }

  /** Removes itself before TLS bytes; before plaintext bytes also removes the TLS engine. */
  private static final class ClientSniffer extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < TLS_RECORD_HEADER_BYTES) {
        return;
      }
      if (!SslHandler.isEncrypted(in, false)) {
        // The event first, so the client handler ignores the engine's "removed" failure.
        ctx.fireUserEventTriggered(Sniffed.PLAINTEXT_PEER);
        ctx.pipeline().remove(SSL_HANDLER);
      }
      ctx.pipeline().remove(this);
    }
  }
}
