package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.TransportTls;
import io.graft.raft.transport.CodecException;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    return ask(address, clusterId, self, timeoutMillis, null);
  }

  /**
   * As {@link #ask(String, String, MemberId, int)}; with {@code tls} non-null over mutual TLS, as
   * the members of a cluster with TLS on accept nothing else.
   */
  public static Answer ask(String address, String clusterId, MemberId self, int timeoutMillis,
      TransportTls tls) throws IOException {
    InetSocketAddress to = resolve(address);
    MessageCodec codec = new MessageCodec();
    byte[] probe = FrameFormat.frame(codec.encode(
        new WireMessage.Probe(MessageCodec.PROTOCOL_VERSION, clusterId, self)));
    if (tls != null) {
      return overTls(address, to, codec, probe, timeoutMillis, tls);
    }
    try (Socket socket = new Socket()) {
      socket.connect(to, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write(probe);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int length = in.readInt();
      int crc = in.readInt();
      checkLength(address, length);
      byte[] payload = new byte[length];
      in.readFully(payload);
      return answer(address, codec, payload, crc);
    }
  }

  private static InetSocketAddress resolve(String address) throws IOException {
    InetSocketAddress parsed = HostPort.peer(address);
    InetSocketAddress to = new InetSocketAddress(parsed.getHostString(), parsed.getPort());
    if (to.isUnresolved()) {
      throw new IOException("cannot resolve " + parsed.getHostString() + " (of " + address + ")");
    }
    return to;
  }

  private static void checkLength(String address, int length) throws IOException {
    if (length < FrameFormat.PAYLOAD_BYTES_MIN || length > REPLY_BYTES_MAX) {
      throw new IOException("malformed answer from " + address + ": frame of " + length
          + " bytes");
    }
  }

  private static Answer answer(String address, MessageCodec codec, byte[] payload, int crc)
      throws IOException {
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

  /** The probe over mutual TLS: a one-connection Netty client with the transport's TLS engine. */
  private static Answer overTls(String address, InetSocketAddress to, MessageCodec codec,
      byte[] probe, int timeoutMillis, TransportTls tls) throws IOException {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    EventLoopGroup group = new NioEventLoopGroup(1, runnable -> {
      Thread t = new Thread(runnable, "graft-probe-" + address);
      t.setDaemon(true);
      return t;
    });
    TlsPipeline pipeline = new TlsPipeline(tls, "dbms.ssl.policy.cluster.enabled");
    try {
      Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              pipeline.addClientHandlers(ch.pipeline(), to, timeoutMillis);
              ch.pipeline().addLast(new TlsProbeHandler(address, codec, probe, answer, tls));
            }
          });
      bootstrap.connect(to).addListener(f -> {
        if (!f.isSuccess()) {
          answer.completeExceptionally(new IOException("cannot connect to " + address + ": "
              + f.cause().getMessage(), f.cause()));
        }
      });
      try {
        return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new IOException("no answer from " + address + " within " + timeoutMillis + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while asking " + address, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw cause instanceof IOException io ? io
            : new IOException("probe of " + address + " failed: " + cause, cause);
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** Sends the probe once TLS is up; collects the one reply frame. */
  private static final class TlsProbeHandler extends ChannelInboundHandlerAdapter {
    private final String address;
    private final MessageCodec codec;
    private final byte[] probe;
    private final CompletableFuture<Answer> answer;
    private final TransportTls tls;
    private ByteBuf received;
    private boolean plaintextPeer;

    TlsProbeHandler(String address, MessageCodec codec, byte[] probe,
        CompletableFuture<Answer> answer, TransportTls tls) {
      this.address = address;
      this.codec = codec;
      this.probe = probe;
      this.answer = answer;
      this.tls = tls;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event == TlsPipeline.Sniffed.PLAINTEXT_PEER) {
        plaintextPeer = true;
        answer.completeExceptionally(new IOException("the member at " + address + " runs"
            + " without TLS and this server with TLS (dbms.ssl.policy.cluster): members must"
            + " agree"));
        ctx.close();
      } else if (event instanceof SslHandshakeCompletionEvent done && !plaintextPeer) {
        if (done.isSuccess()) {
          ctx.writeAndFlush(Unpooled.wrappedBuffer(probe));
        } else {
          answer.completeExceptionally(new IOException(
              TlsFailures.outbound(done.cause(), address, tls.describe()), done.cause()));
          ctx.close();
        }
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        if (received == null) {
          received = ctx.alloc().buffer();
        }
        received.writeBytes(in);
      } finally {
        in.release();
      }
      try {
        if (received.readableBytes() < FrameFormat.HEADER_BYTES) {
          return;
        }
        int length = received.getInt(received.readerIndex());
        checkLength(address, length);
        if (received.readableBytes() < FrameFormat.HEADER_BYTES + length) {
          return;
        }
        int crc = received.getInt(received.readerIndex() + 4);
        byte[] payload = new byte[length];
        received.getBytes(received.readerIndex() + FrameFormat.HEADER_BYTES, payload);
        answer.complete(answer(address, codec, payload, crc));
      } catch (IOException e) {
        answer.completeExceptionally(e);
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (received != null) {
        received.release();
        received = null;
      }
      answer.completeExceptionally(new IOException("the member at " + address
          + " closed the connection before answering"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      String tlsFailure = TlsFailures.tlsFailure(cause) != null
          ? TlsFailures.outbound(cause, address, tls.describe()) : null;
      answer.completeExceptionally(tlsFailure != null ? new IOException(tlsFailure, cause)
          : new IOException("probe of " + address + " failed: " + cause, cause));
      ctx.close();
    }
  }
}
