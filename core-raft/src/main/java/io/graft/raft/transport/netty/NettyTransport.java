package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.TransportTls;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.PeerIdentities;
import io.graft.raft.transport.Transport;
import io.graft.raft.transport.TransportStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * {@link Transport} over Netty NIO TCP. One server socket accepts inbound connections (each
 * starts with a handshake, see {@link ServerHandler}); one outbound connection per peer
 * ({@link PeerChannel}) carries this member's messages to it. Connections are one-directional, as
 * in Neo4j 3.x causal clustering: replies travel on the replier's own outbound connection.
 *
 * <p>Threading: a single event loop group (daemon threads) serves the server and all peers;
 * {@link #send} only enqueues (on the group's first loop, where a node's owner may run, {@link
 * #ownerLoop}, {@link #flush} then writes it at once). {@link #setPeers}, {@link #start} and
 * {@link #close} are serialized by a lock and may be called from any thread.
 */
public final class NettyTransport implements Transport {
  private static final long SHUTDOWN_TIMEOUT_MILLIS = 5000;

  private final RaftLogging logging;
  private final Logger log;
  /** One for every inbound connection's handler. */
  private final Logger serverLog;
  private final NettyTransportConfig config;
  private final ThreadFactory threadFactory;
  private final MessageCodec codec = new MessageCodec();
  private final TransportCounters counters = new TransportCounters();
  private final PeerAnnouncements announcements;
  private volatile java.util.function.Consumer<MemberId> peerLost = member -> {};
  private final IdentityGuard identity;
  private volatile TlsPipeline tls = new TlsPipeline(null, "TLS");
  private final Object lock = new Object();
  private final Set<Channel> inboundChannels = ConcurrentHashMap.newKeySet();
  private final Map<MemberId, PeerChannel> peers = new HashMap<>();
  private volatile Map<MemberId, PeerChannel> peerView = Map.of();
  private Map<MemberId, InetSocketAddress> addresses = Map.of();
  private EventLoopGroup group;
  /** The loop {@link #ownerLoop} hands out (the group's first); null before start. */
  private volatile EventLoop firstLoop;
  private Bootstrap clientTemplate;
  private Channel serverChannel;
  private boolean started;
  private boolean closed;

  /**
   * A transport whose event loop threads are daemons named {@code graft-net-<member>-...},
   * logging (accepted and refused connections, dropped messages) to {@code logging}. Not {@code
   * graft-raft-}, the owner thread's prefix: Linux keeps the first 15 characters of a thread's
   * name, and the benchmark tells the owner's CPU and wake-ups from the transport's by them.
   */
  public NettyTransport(NettyTransportConfig config, RaftLogging logging) {
    this(config, new DefaultThreadFactory("graft-net-" + config.self(), true), logging);
  }

  /** A transport whose event loop threads come from {@code threadFactory} (e.g. the runtime's). */
  public NettyTransport(NettyTransportConfig config, ThreadFactory threadFactory,
      RaftLogging logging) {
    this.config = config.validate();
    this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
    this.logging = Objects.requireNonNull(logging, "logging");
    this.log = logging.logger(NettyTransport.class);
    this.serverLog = logging.logger(ServerHandler.class);
    this.announcements = new PeerAnnouncements(logging);
    this.identity = new IdentityGuard(logging);
  }

  @Override
  public void start(Consumer<RaftMessage> inbound) {
    Objects.requireNonNull(inbound, "inbound");
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException("transport already " + (closed ? "closed" : "started"));
      }
      started = true;
      group = Channels.group(config.eventLoopThreads(), threadFactory);
      firstLoop = group.next();
      clientTemplate = new Bootstrap().channel(Channels.socket())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.SO_KEEPALIVE, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMillis())
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
              new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024));
      try {
        bind(inbound);
      } catch (RuntimeException e) {
        shutdownGroup();
        throw e;
      }
      applyPeers();
    }
  }

  private void bind(Consumer<RaftMessage> inbound) {
    InetSocketAddress listen = HostPort.listen(config.listenAddress());
    ServerBootstrap server = new ServerBootstrap().group(group)
        .channel(Channels.serverSocket())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            inboundChannels.add(ch);
            ch.closeFuture().addListener(f -> inboundChannels.remove(ch));
            TlsPipeline t = tls;
            ch.pipeline().addLast(t.serverSniffer(config.connectTimeoutMillis()),
                new FrameDecoder(FrameDecoder.handshakeLimit(config), codec),
                FrameEncoder.INSTANCE,
                new ServerHandler(config, codec, counters, inbound, announcements, identity, t,
                    serverLog));
          }
        });
    var future = server.bind(new InetSocketAddress(listen.getHostString(), listen.getPort()));
    if (!future.awaitUninterruptibly(config.connectTimeoutMillis(), TimeUnit.MILLISECONDS)
        || !future.isSuccess()) {
      Throwable cause = future.cause();
      throw new UncheckedIOException(new IOException("cannot bind Raft transport of "
          + config.self() + " to " + config.listenAddress()
          + (cause == null ? " (timed out)" : ": " + cause), cause));
    }
    serverChannel = future.channel();
    log.info("Raft transport of {} listening on {} (cluster '{}', {}, {})", config.self(),
        serverChannel.localAddress(), config.clusterId(), tls.describe(), Channels.name());
  }

  /**
   * Announces {@code localInfo} (opaque, at most a few hundred bytes, e.g. a Bolt address) in
   * every handshake this member sends or answers, and hands each peer's non-empty announcement to
   * {@code onPeerInfo} (on an event loop thread: it must be quick). Call before {@link #start}.
   */
  public void announce(String localInfo, BiConsumer<MemberId, String> onPeerInfo) {
    if (localInfo.length() > 255) {
      throw new IllegalArgumentException("announcement longer than 255 characters: " + localInfo);
    }
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("announce() must be called before start()");
      }
      announcements.set(localInfo, onPeerInfo);
    }
  }

  /**
   * Refuses a peer whose announcement {@code admission} rejects (returns the reason; null admits),
   * in both handshake directions, before its identity is recorded: e.g. the Neo4j plugin refuses
   * a member that replicates a database of another identity. Call before {@link #start}.
   */
  public void admitAnnouncements(BiFunction<MemberId, String, String> admission) {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("admitAnnouncements() must be called before start()");
      }
      announcements.admitWith(admission);
    }
  }

  /**
   * Presents {@code localIncarnation} (the id of this member's Raft state, see {@link
   * io.graft.raft.storage.MemberIncarnation}) in every handshake, and admits a peer only if
   * {@code peers} does not know it under another incarnation, in both directions: a member whose
   * Raft state was reset may have forgotten its vote (Raft §5.2). Call before {@link #start}.
   */
  public void identify(UUID localIncarnation, PeerIdentities peers) {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("identify() must be called before start()");
      }
      identity.set(localIncarnation, peers);
    }
  }

  /**
   * Also hands every handshake refusal logged at WARN (either side, once per change of reason)
   * to {@code sink}, e.g. a host log that does not show this library's slf4j output (Neo4j's
   * server passes only its own loggers' slf4j lines on). Call before {@link #start}.
   */
  public void onRefusal(java.util.function.Consumer<String> sink) {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("onRefusal() must be called before start()");
      }
      identity.onRefusal(sink);
    }
  }

  @Override
  public void onPeerLost(java.util.function.Consumer<MemberId> listener) {
    peerLost = listener;
  }

  /**
   * {@inheritDoc}
   *
   * <p>On a change every connection is closed (outbound ones redial at once): a peer admitted
   * under the previous epoch is checked again against the new one.
   */
  @Override
  public void setEpoch(long epoch) {
    synchronized (lock) {
      if (!identity.setEpoch(epoch) || !started || closed) {
        return;
      }
      log.info("Raft transport of {}: cluster epoch now {}; reconnecting to every peer",
          config.self(), Long.toHexString(epoch));
      inboundChannels.forEach(Channel::close);
      peers.values().forEach(PeerChannel::reconnect);
    }
  }

  @Override
  public long peerEpoch(MemberId member) {
    return identity.peerEpoch(member);
  }

  /**
   * Puts every connection of this transport under mutual TLS ({@code tls} non-null) or states
   * that it runs in plaintext (null); {@code setting} names how an operator turns TLS on, for the
   * refusals a TLS member and a plaintext member exchange (e.g. a configuration key). Without this
   * call the transport is plaintext. Call before {@link #start}.
   */
  public void useTls(TransportTls tls, String setting) {
    java.util.Objects.requireNonNull(setting, "setting");
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("useTls() must be called before start()");
      }
      this.tls = new TlsPipeline(tls, setting);
    }
  }

  /** True when connections are under TLS ({@link #useTls}). */
  public boolean tlsEnabled() {
    return tls.enabled();
  }

  /** The bound server address (useful with port 0); null before {@link #start}. */
  public InetSocketAddress localAddress() {
    synchronized (lock) {
      return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }
  }

  @Override
  public void setPeers(Map<MemberId, String> newAddresses) {
    Map<MemberId, InetSocketAddress> parsed = new HashMap<>();
    newAddresses.forEach((member, address) -> {
      if (!member.equals(config.self())) {
        parsed.put(member, HostPort.peer(address));
      }
    });
    synchronized (lock) {
      addresses = Map.copyOf(parsed);
      if (started && !closed) {
        applyPeers();
      }
    }
  }

  /** Reconciles the peer channels with the address book; called under the lock. */
  private void applyPeers() {
    peers.entrySet().removeIf(e -> {
      boolean keep = e.getValue().address().equals(addresses.get(e.getKey()));
      if (!keep) {
        e.getValue().close();
      }
      return !keep;
    });
    addresses.forEach((member, address) -> {
      if (!peers.containsKey(member)) {
        PeerChannel p = new PeerChannel(member, address, config, codec, counters,
            group.next(), clientTemplate, announcements, identity, tls,
            m -> peerLost.accept(m), logging);
        peers.put(member, p);
        p.start();
      }
    });
    peerView = Map.copyOf(peers);
  }

  /**
   * Queues {@code message} for {@code to}. Never blocks. Before {@link #start}, after
   * {@link #close} and for members missing from the address book the message is dropped and
   * counted in {@link TransportStats#unknownPeerDropped()}.
   */
  @Override
  public void send(MemberId to, RaftMessage message) {
    PeerChannel peer = peerView.get(to);
    if (peer == null) {
      counters.unknownPeerDropped.incrementAndGet();
      log.debug("Dropped {} to unknown member {}", message.getClass().getSimpleName(), to);
      return;
    }
    peer.offer(message);
  }

  /** One encoding for every recipient (see {@link OutboundMessage}). */
  @Override
  public void send(List<MemberId> to, RaftMessage message) {
    OutboundMessage shared = new OutboundMessage(message);
    for (MemberId member : to) {
      PeerChannel peer = peerView.get(member);
      if (peer == null) {
        counters.unknownPeerDropped.incrementAndGet();
        log.debug("Dropped {} to unknown member {}", message.getClass().getSimpleName(), member);
      } else {
        peer.offer(shared);
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The group's first event loop: with the default single loop, the one that serves every
   * link of this member.
   */
  @Override
  public Executor ownerLoop() {
    return firstLoop;
  }

  /** {@inheritDoc} Cheap when nothing is queued: a look at each peer's queue. */
  @Override
  public void flush() {
    EventLoop loop = firstLoop;
    if (loop == null || !loop.inEventLoop()) {
      return;
    }
    for (PeerChannel p : peerView.values()) {
      p.drainIfInLoop();
    }
  }

  /** A snapshot of the counters. Any thread. */
  public TransportStats stats() {
    int connected = 0;
    for (PeerChannel p : peerView.values()) {
      connected += p.isConnected() ? 1 : 0;
    }
    return counters.snapshot(connected);
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      peers.values().forEach(PeerChannel::close);
      peers.clear();
      peerView = Map.of();
      if (serverChannel != null) {
        serverChannel.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
      }
      inboundChannels.forEach(Channel::close);
      shutdownGroup();
    }
  }

  private void shutdownGroup() {
    if (group == null) {
      return;
    }
    // Quiet period 0: nothing is expected after close; the pending close tasks still run.
    var terminated = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    if (!terminated.awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS * 2)) {
      log.warn("Raft transport of {} event loops did not terminate within {} ms", config.self(),
          SHUTDOWN_TIMEOUT_MILLIS * 2);
    }
  }

  /**
   * Closes the connection on any pipeline exception. Protocol errors (malformed, oversized,
   * corrupt, unexpected frames) are counted and logged with their reason at WARN; I/O errors such
   * as a reset peer are routine and logged at DEBUG.
   */
  static void handleException(ChannelHandlerContext ctx, Throwable cause,
      TransportCounters counters, Logger log) {
    if (ServerHandler.isProtocolError(cause)) {
      // A decoder's CodecException arrives wrapped in Netty's DecoderException.
      Throwable codecError = cause instanceof DecoderException ? cause.getCause() : cause;
      String reason = codecError.getMessage();
      counters.badFrame(reason);
      log.warn("Closing Raft connection {} -> {}: {}", ctx.channel().remoteAddress(),
          ctx.channel().localAddress(), reason);
    } else {
      log.debug("Closing Raft connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }
}
