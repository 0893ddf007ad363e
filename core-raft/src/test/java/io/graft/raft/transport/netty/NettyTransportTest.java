package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.message.TimeoutNow;
import io.graft.raft.transport.RandomMessages;
import io.graft.raft.transport.TransportStats;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real Netty transports on loopback sockets with OS-chosen ports (docs/TESTING.md tier 3): delivery
 * of every message type among three members, reconnection after a late start and a restart,
 * address-book changes, bounded queues, oversized outbound messages, and confined close. Hostile
 * peers are in {@link HostilePeerTest}. No sleeps: every wait is a bounded Awaitility condition or
 * a bounded queue poll.
 */
class NettyTransportTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<LoopbackNode> nodes = new ArrayList<>();

  @AfterEach
  void closeAll() {
    nodes.forEach(LoopbackNode::close);
  }

  private LoopbackNode node(String id) {
    LoopbackNode n = LoopbackNode.start(id);
    nodes.add(n);
    return n;
  }

  private static void connectAll(LoopbackNode... members) {
    Map<MemberId, String> book = new HashMap<>();
    for (LoopbackNode n : members) {
      book.put(n.id, n.address());
    }
    for (LoopbackNode n : members) {
      n.transport.setPeers(book);
    }
  }

  private static void awaitStats(LoopbackNode n, Predicate<TransportStats> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
        .until(() -> condition.test(n.transport.stats()));
  }

  @Test
  void threeMembersExchangeEveryMessageTypeInOrder() throws Exception {
    LoopbackNode a = node("a");
    LoopbackNode b = node("b");
    LoopbackNode c = node("c");
    connectAll(a, b, c);
    long seed = 42;
    for (LoopbackNode sender : List.of(a, b, c)) {
      for (LoopbackNode receiver : List.of(a, b, c)) {
        if (sender == receiver) {
          continue;
        }
        List<RaftMessage> sent = new ArrayList<>();
        RandomMessages gen = new RandomMessages(seed++);
        for (int kind = 0; kind < RandomMessages.TYPE_COUNT; kind++) {
          RaftMessage m = gen.of(kind, sender.id);
          sent.add(m);
          sender.transport.send(receiver.id, m);
        }
        for (RaftMessage expected : sent) {
          RaftMessage got = receiver.receive();
          assertThat(io.graft.raft.transport.MessageCodecTest.sameMessage(got, expected))
              .as("seed %d %s->%s: got %s, expected %s", seed - 1, sender.id, receiver.id, got,
                  expected).isTrue();
        }
      }
    }
    assertThat(a.inboundThreads.peek()).startsWith("graft-net-a-");
    assertThat(a.transport.stats().messagesSent()).isEqualTo(2L * RandomMessages.TYPE_COUNT);
    assertThat(a.transport.stats().messagesReceived()).isEqualTo(2L * RandomMessages.TYPE_COUNT);
    assertThat(a.transport.stats().connectedPeers()).isEqualTo(2);
  }

  /** One message to several peers: encoded once, each receives it intact, in order. */
  @Test
  void oneMessageSentToSeveralPeersReachesEachIntact() throws Exception {
    LoopbackNode a = node("a");
    LoopbackNode b = node("b");
    LoopbackNode c = node("c");
    connectAll(a, b, c);
    RandomMessages gen = new RandomMessages(7);
    List<RaftMessage> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      RaftMessage m = gen.of(0, a.id); // AppendEntries, the one a leader shares
      sent.add(m);
      a.transport.send(List.of(b.id, c.id, MemberId.of("unknown")), m);
    }
    for (LoopbackNode receiver : List.of(b, c)) {
      for (RaftMessage expected : sent) {
        RaftMessage got = receiver.receive();
        assertThat(io.graft.raft.transport.MessageCodecTest.sameMessage(got, expected))
            .as("%s got %s, expected %s", receiver.id, got, expected).isTrue();
      }
    }
    // the sender counts a batch after its flush returns: a receiver may have it a moment earlier
    await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> a.transport.stats().messagesSent() >= 40);
    assertThat(a.transport.stats().messagesSent()).isEqualTo(40);
    assertThat(a.transport.stats().unknownPeerDropped()).isEqualTo(20);
  }

  @Test
  void peerThatStartsLateIsReachedByReconnect() throws Exception {
    int port = freePort();
    LoopbackNode a = node("a");
    a.transport.setPeers(Map.of(MemberId.of("b"), "127.0.0.1:" + port));
    a.transport.send(MemberId.of("b"), new TimeoutNow(a.id, 7));
    awaitStats(a, s -> s.reconnects() >= 2);
    LoopbackNode b = LoopbackNode.start("b", port, c -> c);
    nodes.add(b);
    assertThat(b.receive()).isEqualTo(new TimeoutNow(a.id, 7));
    awaitStats(a, s -> s.connectedPeers() == 1);
  }

  @Test
  void peerRestartIsReconnected() throws Exception {
    LoopbackNode a = node("a");
    LoopbackNode b = node("b");
    int port = b.port();
    connectAll(a, b);
    a.transport.send(b.id, new Heartbeat(a.id, 1, 0, 1));
    assertThat(b.receive()).isEqualTo(new Heartbeat(a.id, 1, 0, 1));
    long reconnectsBefore = a.transport.stats().reconnects();

    b.close();
    awaitStats(a, s -> s.connectedPeers() == 0);
    a.transport.send(b.id, new Heartbeat(a.id, 2, 0, 2));
    LoopbackNode b2 = LoopbackNode.start("b", port, c -> c);
    nodes.add(b2);
    assertThat(b2.receive()).isEqualTo(new Heartbeat(a.id, 2, 0, 2));
    assertThat(a.transport.stats().reconnects()).isGreaterThan(reconnectsBefore);
  }

  @Test
  void removedPeerIsDisconnectedAndLaterSendsAreCounted() throws Exception {
    LoopbackNode a = node("a");
    LoopbackNode b = node("b");
    connectAll(a, b);
    a.transport.send(b.id, new TimeoutNow(a.id, 1));
    assertThat(b.receive()).isEqualTo(new TimeoutNow(a.id, 1));
    awaitStats(a, s -> s.connectedPeers() == 1);

    a.transport.setPeers(Map.of(a.id, a.address()));
    awaitStats(a, s -> s.connectedPeers() == 0);
    a.transport.send(b.id, new TimeoutNow(a.id, 2));
    assertThat(a.transport.stats().unknownPeerDropped()).isEqualTo(1);

    a.transport.setPeers(Map.of(b.id, b.address()));
    a.transport.send(b.id, new TimeoutNow(a.id, 3));
    assertThat(b.receive()).isEqualTo(new TimeoutNow(a.id, 3));
  }

  @Test
  void addressAnsweringAsAnotherMemberIsRefusedByTheClient() throws Exception {
    LoopbackNode a = node("a");
    LoopbackNode b = node("b");
    a.transport.setPeers(Map.of(MemberId.of("c"), b.address()));
    a.transport.send(MemberId.of("c"), new TimeoutNow(a.id, 1));
    awaitStats(a, s -> s.handshakesRejected() >= 1);
    assertThat(a.transport.stats().lastHandshakeRejection())
        .isEqualTo("address " + b.address() + " answers as member b, expected c");
    assertThat(a.transport.stats().connectedPeers()).isZero();
    assertThat(b.inbox).isEmpty();
  }

  @Test
  void peersSetBeforeStartAreDialledAtStart() throws Exception {
    LoopbackNode b = node("b");
    var config = NettyTransportConfig.defaults("127.0.0.1:0", LoopbackNode.CLUSTER,
        MemberId.of("early"));
    try (NettyTransport early = new NettyTransport(config, RaftLogging.slf4j())) {
      early.setPeers(Map.of(b.id, b.address()));
      early.send(b.id, new TimeoutNow(config.self(), 1));
      assertThat(early.stats().unknownPeerDropped()).as("no peer channel before start").isOne();
      early.start(m -> { });
      early.send(b.id, new TimeoutNow(config.self(), 2));
      assertThat(b.receive()).isEqualTo(new TimeoutNow(config.self(), 2));
    }
  }

  @Test
  void failingConsumerDoesNotBreakTheConnection() throws Exception {
    LoopbackNode b = node("b");
    var config = NettyTransportConfig.defaults("127.0.0.1:0", LoopbackNode.CLUSTER,
        MemberId.of("a"));
    java.util.concurrent.BlockingQueue<RaftMessage> got =
        new java.util.concurrent.LinkedBlockingQueue<>();
    try (NettyTransport a = new NettyTransport(config, RaftLogging.slf4j())) {
      a.start(m -> {
        got.add(m);
        throw new IllegalStateException("consumer bug");
      });
      a.setPeers(Map.of(b.id, b.address()));
      b.transport.setPeers(Map.of(config.self(), "127.0.0.1:" + a.localAddress().getPort()));
      b.transport.send(config.self(), new TimeoutNow(b.id, 1));
      b.transport.send(config.self(), new TimeoutNow(b.id, 2));
      assertThat(got.poll(10, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(new TimeoutNow(b.id, 1));
      assertThat(got.poll(10, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(new TimeoutNow(b.id, 2));
      assertThat(a.stats().badFrames()).isZero();
    }
  }

  @Test
  void queuedMessagesAreWrittenInBatchesWithOneFlushEach() throws Exception {
    int port = freePort();
    LoopbackNode a = node("a");
    a.transport.setPeers(Map.of(MemberId.of("b"), "127.0.0.1:" + port));
    for (int i = 1; i <= 1000; i++) {
      a.transport.send(MemberId.of("b"), new Heartbeat(a.id, 1, 0, i));
    }
    LoopbackNode b = LoopbackNode.start("b", port, c -> c);
    nodes.add(b);
    for (int i = 1; i <= 1000; i++) {
      assertThat(b.receive()).isEqualTo(new Heartbeat(a.id, 1, 0, i));
    }
    // The sender counts a batch when its write completes, which may be just after b has read it.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> a.transport.stats().messagesSent() == 1000);
    TransportStats stats = a.transport.stats();
    // Queued while b was down, so drained at most 512 per batch: two or three flushes, not 1000.
    assertThat(stats.batchesFlushed()).isBetween(2L, 4L);
  }

  @Test
  void concurrentSendersKeepTheirOwnOrderAndLoseNothing() throws Exception {
    int threads = 4;
    int perThread = 5000;
    LoopbackNode a = LoopbackNode.start("a", 0, c -> c.withOutboundQueueCapacity(1 << 16));
    nodes.add(a);
    LoopbackNode b = node("b");
    connectAll(a, b);
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long thread = t;
      senders.add(new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          a.transport.send(b.id, new Heartbeat(a.id, 1, thread, i));
        }
      }, "sender-" + t));
    }
    senders.forEach(Thread::start);
    long[] next = new long[threads];
    for (int n = 0; n < threads * perThread; n++) {
      Heartbeat hb = (Heartbeat) b.receive();
      int thread = (int) hb.commitIndex();
      assertThat(hb.context()).as("order of sender %d", thread).isEqualTo(next[thread]);
      next[thread]++;
    }
    for (Thread t : senders) {
      t.join(10_000);
    }
    assertThat(a.transport.stats().outboundDropped()).isZero();
    // Counted on write completion, which may trail b's read of the last message.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> a.transport.stats().messagesSent() == (long) threads * perThread);
  }

  @Test
  void fullOutboundQueueDropsAndCounts() throws Exception {
    LoopbackNode a = LoopbackNode.start("a", 0, c -> c.withOutboundQueueCapacity(4));
    nodes.add(a);
    // Nobody listens on this port, so nothing is drained and the queue stays full.
    a.transport.setPeers(Map.of(MemberId.of("b"), "127.0.0.1:" + freePort()));
    for (int i = 1; i <= 10; i++) {
      a.transport.send(MemberId.of("b"), new TimeoutNow(a.id, i));
    }
    assertThat(a.transport.stats().outboundDropped()).isEqualTo(6);
    assertThat(a.transport.stats().messagesSent()).isZero();
  }

  @Test
  void oversizedOutboundMessageIsDroppedWithoutBreakingTheConnection() throws Exception {
    LoopbackNode a = LoopbackNode.start("a", 0, c -> c.withMaxFrameBytes(4096));
    nodes.add(a);
    LoopbackNode b = node("b");
    connectAll(a, b);
    a.transport.send(b.id, new AppendEntries(a.id, 1, 0, 0,
        List.of(new LogEntry(1, 1, EntryType.APPLICATION, new byte[8192])), 0));
    a.transport.send(b.id, new TimeoutNow(a.id, 9));
    assertThat(b.receive()).isEqualTo(new TimeoutNow(a.id, 9));
    assertThat(a.transport.stats().outboundDropped()).isEqualTo(1);
    assertThat(b.transport.stats().badFrames()).isZero();
  }

  @Test
  void largeAppendEntriesNearTheFrameLimitIsDelivered() throws Exception {
    LoopbackNode a = node("a");
    LoopbackNode b = node("b");
    connectAll(a, b);
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= 16; i++) {
      byte[] payload = new byte[1024 * 1024 - 64];
      payload[i] = (byte) i;
      entries.add(new LogEntry(3, i, EntryType.APPLICATION, payload));
    }
    AppendEntries big = new AppendEntries(a.id, 3, 0, 0, entries, 0);
    a.transport.send(b.id, big);
    assertThat(b.receive()).isEqualTo(big);
  }

  @Test
  void outboundConnectionsBindToTheConfiguredLocalHost() throws Exception {
    try (ServerSocket fake = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      fake.setSoTimeout(10_000);
      LoopbackNode a = LoopbackNode.start("a", 0, c -> c.withOutboundBindHost("127.0.0.2"));
      nodes.add(a);
      a.transport.setPeers(Map.of(MemberId.of("b"), "127.0.0.1:" + fake.getLocalPort()));
      try (var accepted = fake.accept()) {
        assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("127.0.0.2");
        var in = new java.io.DataInputStream(accepted.getInputStream());
        byte[] payload = new byte[in.readInt()];
        in.readInt();
        in.readFully(payload);
        assertThat(new io.graft.raft.transport.MessageCodec().decode(payload)).isEqualTo(
            new io.graft.raft.transport.WireMessage.Handshake(
                io.graft.raft.transport.MessageCodec.PROTOCOL_VERSION, LoopbackNode.CLUSTER, a.id));
      }
    }
  }

  @Test
  void closeStopsEveryEventLoopThread() throws Exception {
    LoopbackNode a = LoopbackNode.start("closer-a", 0, c -> c);
    LoopbackNode b = LoopbackNode.start("closer-b", 0, c -> c);
    connectAll(a, b);
    a.transport.send(b.id, new TimeoutNow(a.id, 1));
    assertThat(b.receive()).isEqualTo(new TimeoutNow(a.id, 1));
    assertThat(threadsNamed("graft-net-closer-")).isNotEmpty();
    a.close();
    b.close();
    a.close(); // idempotent
    await().atMost(WAIT).until(() -> threadsNamed("graft-net-closer-").isEmpty());
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive() && !t.isDaemon()
        && (t.getName().contains("nioEventLoop") || t.getName().startsWith("graft-net")));
  }

  private static List<Thread> threadsNamed(String prefix) {
    List<Thread> found = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)) {
        found.add(t);
      }
    }
    return found;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
