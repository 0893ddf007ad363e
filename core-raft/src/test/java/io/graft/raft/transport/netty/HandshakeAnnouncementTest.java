package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.WireMessage;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The optional announcement carried by both handshake frames (the Neo4j plugin puts its Bolt
 * address there so members added later are routable): empty keeps the frozen layout byte for byte,
 * non-empty round-trips, and over real sockets ONE connection teaches both ends.
 */
class HandshakeAnnouncementTest {
  private final MessageCodec codec = new MessageCodec();

  @Test
  void emptyAnnouncementKeepsTheFrozenLayout() {
    var hs = new WireMessage.Handshake(1, "c1", MemberId.of("a"));
    assertThat(HexFormat.of().formatHex(codec.encode(hs)))
        .isEqualTo("0140" + "47524654" + "00026331" + "000161");
    assertThat(codec.decode(codec.encode(hs))).isEqualTo(hs);
  }

  @Test
  void announcementsRoundTripInBothFrames() {
    var hs = new WireMessage.Handshake(1, "c1", MemberId.of("a"), "10.0.0.1:7687");
    assertThat(codec.decode(codec.encode(hs))).isEqualTo(hs);
    var reply = new WireMessage.HandshakeReply(1, true, MemberId.of("b"), "", "10.0.0.2:7687");
    assertThat(codec.decode(codec.encode(reply))).isEqualTo(reply);
    assertThat(codec.encode(hs).length)
        .isEqualTo(codec.encode(new WireMessage.Handshake(1, "c1", MemberId.of("a"))).length
            + 2 + "10.0.0.1:7687".length());
  }

  @Test
  void oneConnectionTeachesBothEnds() {
    Map<String, String> heardByA = new ConcurrentHashMap<>();
    Map<String, String> heardByB = new ConcurrentHashMap<>();
    NettyTransport a = announcing("a", "bolt-a:7687", heardByA);
    NettyTransport b = announcing("b", "bolt-b:7687", heardByB);
    try {
      // Only a dials b: b learns from a's handshake, a from b's reply.
      a.setPeers(Map.of(MemberId.of("b"), "127.0.0.1:" + b.localAddress().getPort()));
      a.send(MemberId.of("b"), new Heartbeat(MemberId.of("a"), 1, 0, 0));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> heardByA.size() == 1 && heardByB.size() == 1);
      assertThat(heardByB).containsExactly(Map.entry("a", "bolt-a:7687"));
      assertThat(heardByA).containsExactly(Map.entry("b", "bolt-b:7687"));
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void announceAfterStartIsRefused() {
    NettyTransport a = announcing("a", "x:1", new ConcurrentHashMap<>());
    try {
      assertThatThrownBy(() -> a.announce("y:1", (m, i) -> { }))
          .isInstanceOf(IllegalStateException.class);
    } finally {
      a.close();
    }
  }

  private static NettyTransport announcing(String id, String info, Map<String, String> heard) {
    NettyTransport t = new NettyTransport(NettyTransportConfig
        .defaults("127.0.0.1:0", LoopbackNode.CLUSTER, MemberId.of(id))
        .withReconnectBackoff(10, 200), RaftLogging.slf4j());
    t.announce(info, (member, announced) -> heard.put(member.value(), announced));
    t.start(m -> { });
    return t;
  }
}
