package io.graft.raft.transport.netty;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.MessageCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The outbound side towards one peer: a bounded queue, one TCP connection at a time, redialled with
 * jittered exponential back-off while the peer is down. All connection state is confined to one
 * event loop; {@link #offer} is the only method called from other threads and never blocks.
 *
 * <p>Messages queued while the peer is unreachable stay queued (up to the capacity, then new ones
 * are dropped and counted) and are delivered after reconnecting; Raft tolerates both the loss and
 * the staleness (stale terms are ignored, §5.1). Draining writes a batch and flushes once.
 */
final class PeerChannel {
  /** Messages written per drain before yielding the event loop to other channels. */
  private static final int BATCH_MESSAGES_MAX = 512;

  private final Logger log;
  private final MemberId member;
  private final InetSocketAddress address;
  private final NettyTransportConfig config;
  private final MessageCodec codec;
  private final TransportCounters counters;
  private final EventLoop loop;
  /** Told when an established connection closes (the peer may have crashed). */
  private final java.util.function.Consumer<MemberId> lost;
  private final Bootstrap bootstrap;
  private final ArrayBlockingQueue<OutboundMessage> queue;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final ReconnectBackoff backoff;
  private volatile Channel ready;
  private volatile boolean closed;
  private Channel current;
  private ScheduledFuture<?> reconnectTask;
  private String lastRefusal = "";
  /** An established connection closed; the peer is reported lost if the redial fails. */
  private boolean lostPending;

  PeerChannel(MemberId member, InetSocketAddress address, NettyTransportConfig config,
      MessageCodec codec, TransportCounters counters, EventLoop loop, Bootstrap template,
      PeerAnnouncements announcements, IdentityGuard identity, TlsPipeline tls,
      java.util.function.Consumer<MemberId> lost, RaftLogging logging) {
    this.log = logging.logger(PeerChannel.class);
    Logger clientLog = logging.logger(ClientHandler.class);
    this.member = member;
    this.address = address;
    this.config = config;
    this.codec = codec;
    this.counters = counters;
    this.loop = loop;
    this.lost = lost;
    this.queue = new ArrayBlockingQueue<>(config.outboundQueueCapacity());
    this.backoff = new ReconnectBackoff(config.reconnectBackoffMinMillis(),
        config.reconnectBackoffMaxMillis(), new SplittableRandom());
    PeerChannel self = this;
    this.bootstrap = template.clone(loop).handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        tls.addClientHandlers(ch.pipeline(), address, config.connectTimeoutMillis());
        // The server only ever sends the small handshake reply: keep the handshake-size limit.
        ch.pipeline().addLast(new FrameDecoder(FrameDecoder.handshakeLimit(config), codec),
            FrameEncoder.INSTANCE, new ClientHandler(self, config, codec, counters, announcements,
                identity, tls, clientLog));
      }
    });
  }

  MemberId member() {
    return member;
  }

  InetSocketAddress address() {
    return address;
  }

  /** "host:port" as configured, for log lines (InetSocketAddress prints "host/<unresolved>"). */
  private String where() {
    return address.getHostString() + ":" + address.getPort();
  }

  boolean isConnected() {
    Channel ch = ready;
    return ch != null && ch.isActive();
  }

  void start() {
    execute(this::connect);
  }

  /** Queues {@code message}; drops and counts it when the queue is full. Any thread. */
  void offer(RaftMessage message) {
    offer(new OutboundMessage(message));
  }

  /** Queues a message that may be shared with other peers (encoded once). Any thread. */
  void offer(OutboundMessage message) {
    if (closed || !queue.offer(message)) {
      counters.outboundDropped.incrementAndGet();
      log.debug("Dropped {} to {}: outbound queue full",
          message.message().getClass().getSimpleName(), member);
      return;
    }
    scheduleDrain();
  }

  void scheduleDrain() {
    if (ready != null && drainScheduled.compareAndSet(false, true)) {
      execute(this::drain);
    }
  }

  /**
   * Writes what is queued now when called on this peer's event loop (the owner running there:
   * {@link NettyTransport#flush}); elsewhere nothing, the scheduled drain writes it.
   */
  void drainIfInLoop() {
    if (!queue.isEmpty() && loop.inEventLoop()) {
      drain();
    }
  }

  private void drain() {
    drainScheduled.set(false);
    Channel ch = ready;
    if (ch == null || !ch.isActive()) {
      return;
    }
    int written = 0;
    while (written < BATCH_MESSAGES_MAX && ch.isWritable()) {
      OutboundMessage message = queue.poll();
      if (message == null) {
        break;
      }
      byte[] frame = message.frame(codec);
      int payloadBytes = frame.length - FrameFormat.HEADER_BYTES;
      if (payloadBytes > config.maxFrameBytes()) {
        counters.outboundDropped.incrementAndGet();
        log.warn("Dropped {} to {}: {} bytes exceed maxFrameBytes {}",
            message.message().getClass().getSimpleName(), member, payloadBytes,
            config.maxFrameBytes());
        continue;
      }
      ch.write(Unpooled.wrappedBuffer(frame), ch.voidPromise());
      written++;
    }
    if (written > 0) {
      ch.flush();
      counters.sent.addAndGet(written);
      counters.flushes.incrementAndGet();
    }
    if (!queue.isEmpty() && ch.isWritable()) {
      scheduleDrain();
    }
  }

  private void connect() {
    reconnectTask = null;
    if (closed) {
      return;
    }
    ChannelFuture f = config.outboundBindHost() == null
        ? bootstrap.connect(address)
        : bootstrap.connect(address, new InetSocketAddress(config.outboundBindHost(), 0));
    current = f.channel();
    f.addListener(done -> {
      if (!done.isSuccess()) {
        log.debug("Connect to {} at {} failed: {}", member, where(), done.cause().toString());
        if (lostPending) {
          // the connection closed AND the peer no longer accepts one: likely gone (a killed
          // process refuses at once)
          lostPending = false;
          lost.accept(member);
        }
        scheduleReconnect();
      } else {
        lostPending = false; // it accepts connections: alive (e.g. it re-handshakes)
        f.channel().closeFuture().addListener(c -> onClosed(f.channel()));
      }
    });
  }

  void onHandshakeAccepted(Channel ch) {
    backoff.reset();
    lastRefusal = "";
    ready = ch;
    log.info("Connected to {} at {}", member, where());
    scheduleDrain();
  }

  /** Logs the refusal, at WARN when its reason changed; returns that line then, else null. */
  String onHandshakeRefused(String reason) {
    if (!reason.equals(lastRefusal)) {
      log.warn("Connection to {} at {} refused: {}", member, where(), reason);
      lastRefusal = reason;
      return "Connection to " + member + " at " + where() + " refused: " + reason;
    }
    log.debug("Connection to {} at {} refused again: {}", member, where(), reason);
    return null;
  }

  private void onClosed(Channel ch) {
    if (ready == ch) {
      ready = null;
      log.info("Connection to {} at {} closed", member, where());
      if (!closed) {
        // Reported lost only if the redial fails too: a peer that closes its connections on
        // purpose (a cluster-epoch change re-handshakes every link) answers the redial at once,
        // and a follower must not depose a live leader for it.
        lostPending = true;
      }
    }
    if (current == ch) {
      scheduleReconnect();
    }
  }

  private void scheduleReconnect() {
    current = null;
    if (closed || reconnectTask != null) {
      return;
    }
    long delay = backoff.nextDelayMillis();
    counters.reconnects.incrementAndGet();
    reconnectTask = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  /**
   * Closes the current connection (queued messages stay) so that it redials and handshakes again,
   * e.g. after this member's cluster epoch changed. Any thread.
   */
  void reconnect() {
    execute(() -> {
      Channel ch = current;
      if (ch != null) {
        ch.close(); // onClosed schedules the redial, which succeeds: no lost peer
      }
    });
  }

  /** Stops redialling, closes the connection and discards queued messages. Any thread. */
  void close() {
    closed = true;
    execute(() -> {
      if (reconnectTask != null) {
        reconnectTask.cancel(false);
        reconnectTask = null;
      }
      Channel ch = current;
      current = null;
      ready = null;
      if (ch != null) {
        ch.close();
      }
      queue.clear();
    });
  }

  private void execute(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("Event loop for {} is shut down", member);
    }
  }
}
