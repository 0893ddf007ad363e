package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.TimeoutNow;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.TransportStats;
import io.graft.raft.transport.WireMessage;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A transport's server facing misbehaving clients (docs/TESTING.md tier 3: "malformed frames, a
 * wrong cluster id and oversized frames close the connection and never crash"). Member {@code b}
 * serves; a healthy member {@code a} keeps a connection to it throughout, and every test ends by
 * checking that {@code a}'s messages still arrive, i.e. only the offending connection was closed.
 * Offenders are raw sockets ({@link RawClient}) or a transport configured for another cluster.
 */
class HostilePeerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private LoopbackNode a;
  private LoopbackNode b;
  private long term = 1;

  @BeforeEach
  void connectHealthyPair() throws Exception {
    a = LoopbackNode.start("a");
    b = LoopbackNode.start("b", 0, c -> c.withMaxFrameBytes(64 * 1024)
        .withConnectTimeoutMillis(2000));
    a.transport.setPeers(Map.of(b.id, b.address()));
    assertHealthyLinkStillWorks();
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  private void assertHealthyLinkStillWorks() throws InterruptedException {
    Heartbeat hb = new Heartbeat(a.id, term++, 0, 0);
    a.transport.send(b.id, hb);
    assertThat(b.receive()).isEqualTo(hb);
  }

  private void awaitB(Predicate<TransportStats> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
        .until(() -> condition.test(b.transport.stats()));
  }

  @Test
  void wrongClusterIdIsRefusedAndLoggedOnBothSides() throws Exception {
    LoopbackNode other = LoopbackNode.start("x", 0,
        c -> new NettyTransportConfig(c.listenAddress(), "other-cluster", c.self(),
            c.maxFrameBytes(), c.outboundQueueCapacity(), 10, 200, 1,
            c.connectTimeoutMillis(), null));
    try {
      other.transport.setPeers(Map.of(b.id, b.address()));
      other.transport.send(b.id, new TimeoutNow(other.id, 5));
      awaitB(s -> s.handshakesRejected() >= 1);
      assertThat(b.transport.stats().lastHandshakeRejection())
          .contains("cluster id 'other-cluster' does not match 'test-cluster'");
      await().atMost(WAIT).until(() -> other.transport.stats().handshakesRejected() >= 1);
      assertThat(other.transport.stats().lastHandshakeRejection())
          .contains("refused by b").contains("cluster id 'other-cluster'");
      assertThat(other.transport.stats().connectedPeers()).isZero();
      assertThat(b.transport.stats().handshakesRejectedByReason())
          .as("b refused x for its cluster id").containsKey("cluster_id/self");
      assertThat(other.transport.stats().handshakesRejectedByReason())
          .as("x was refused by b for its cluster id").containsKey("cluster_id/peer");
      assertHealthyLinkStillWorks();
      assertThat(b.inbox).isEmpty();
      assertThat(b.transport.stats().messagesReceived()).isEqualTo(term - 1);
    } finally {
      other.close();
    }
  }

  @Test
  void wrongProtocolVersionIsRefusedWithAReason() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      int future = MessageCodec.PROTOCOL_VERSION + 1;
      client.send(new WireMessage.Handshake(future, LoopbackNode.CLUSTER, MemberId.of("future")));
      WireMessage reply = client.readFrame();
      assertThat(reply).isInstanceOf(WireMessage.HandshakeReply.class);
      WireMessage.HandshakeReply r = (WireMessage.HandshakeReply) reply;
      assertThat(r.accepted()).isFalse();
      assertThat(r.member()).isEqualTo(b.id);
      assertThat(r.protocolVersion()).isEqualTo(MessageCodec.PROTOCOL_VERSION);
      assertThat(r.reason()).contains("protocol version " + future + " not supported");
      client.awaitClosedByServer();
    }
    assertThat(b.transport.stats().handshakesRejected()).isEqualTo(1);
    assertHealthyLinkStillWorks();
  }

  @Test
  void ownMemberIdIsRefused() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.handshake(LoopbackNode.CLUSTER, "b");
      assertThat(((WireMessage.HandshakeReply) client.readFrame()).reason())
          .contains("own id");
      client.awaitClosedByServer();
    }
    assertHealthyLinkStillWorks();
  }

  @Test
  void garbageBytesCloseTheConnection() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame()).contains("frame length");
    assertHealthyLinkStillWorks();
  }

  @Test
  void oversizedFrameClosesTheConnectionBeforeBuffering() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.handshake(LoopbackNode.CLUSTER, "c");
      assertThat(((WireMessage.HandshakeReply) client.readFrame()).accepted()).isTrue();
      // Header announcing 64 KiB + 1 bytes: refused on the header alone, no payload needed.
      client.write(HexFormat.of().parseHex("00010001" + "00000000"));
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame()).contains("frame length 65537 outside");
    assertHealthyLinkStillWorks();
  }

  @Test
  void largeFrameBeforeHandshakeIsRefusedAtTheHandshakeLimit() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      // 20000 bytes: within b's 64 KiB limit, but no unauthenticated client may send that much.
      client.write(HexFormat.of().parseHex("00004e20" + "00000000"));
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame())
        .contains("frame length 20000 outside [2, 16384]");
    assertHealthyLinkStillWorks();
  }

  @Test
  void wrongChecksumClosesTheConnection() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.handshake(LoopbackNode.CLUSTER, "c");
      client.readFrame();
      byte[] frame = FrameFormat.frame(new MessageCodec().encode(
          new TimeoutNow(MemberId.of("c"), 3)));
      frame[frame.length - 1] ^= 0x01;
      client.write(frame);
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame()).contains("checksum mismatch");
    assertThat(b.inbox).isEmpty();
    assertHealthyLinkStillWorks();
  }

  @Test
  void undecodablePayloadWithValidChecksumClosesTheConnection() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.handshake(LoopbackNode.CLUSTER, "c");
      client.readFrame();
      client.write(FrameFormat.frame(new byte[] {MessageCodec.PROTOCOL_VERSION, 99, 0, 0}));
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame()).contains("unknown message type 99");
    assertHealthyLinkStillWorks();
  }

  @Test
  void messageBeforeHandshakeClosesTheConnection() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.send(new WireMessage.Raft(new TimeoutNow(MemberId.of("c"), 3)));
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame()).contains("message before handshake");
    assertThat(b.inbox).isEmpty();
    assertHealthyLinkStillWorks();
  }

  @Test
  void silentClientIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame()).contains("no handshake within 2000 ms");
    assertHealthyLinkStillWorks();
  }

  @Test
  void messageFromAnotherMemberThanTheHandshakeIsDropped() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.handshake(LoopbackNode.CLUSTER, "c");
      client.readFrame();
      client.send(new WireMessage.Raft(new TimeoutNow(MemberId.of("a"), 99)));
      client.send(new WireMessage.Raft(new TimeoutNow(MemberId.of("c"), 4)));
      assertThat(b.receive()).isEqualTo(new TimeoutNow(MemberId.of("c"), 4));
    }
    assertThat(b.transport.stats().inboundDropped()).isEqualTo(1);
    assertThat(b.transport.stats().badFrames()).isZero();
    assertHealthyLinkStillWorks();
  }

  @Test
  void secondHandshakeOnAConnectionIsUnexpected() throws Exception {
    try (RawClient client = new RawClient(b.port())) {
      client.handshake(LoopbackNode.CLUSTER, "c");
      client.readFrame();
      client.handshake(LoopbackNode.CLUSTER, "c");
      client.awaitClosedByServer();
    }
    awaitB(s -> s.badFrames() == 1);
    assertThat(b.transport.stats().lastBadFrame()).contains("unexpected Handshake");
    assertHealthyLinkStillWorks();
  }
}
