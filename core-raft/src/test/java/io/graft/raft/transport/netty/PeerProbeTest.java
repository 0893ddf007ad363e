package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.transport.MessageCodec;
import io.graft.raft.transport.PeerIdentities;
import io.graft.raft.transport.WireMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * "Who are you?" over the Raft port: a process with no Raft state reads a member's announcement,
 * id and epoch on its own thread; the member records nothing about the asker (its incarnation
 * records stay empty); another cluster id, nobody listening and a closed port fail with a reason.
 */
class PeerProbeTest {
  private static final MemberId ASKER = MemberId.of("asker");

  @Test
  void aMemberAnswersWithItsAnnouncementAndRecordsNothing() throws Exception {
    PeerIdentities records = PeerIdentities.inMemory();
    NettyTransport member = new NettyTransport(NettyTransportConfig
        .defaults("127.0.0.1:0", LoopbackNode.CLUSTER, MemberId.of("m1")), RaftLogging.slf4j());
    member.announce("bolt=10.0.0.1:7687;db=abc", (m, i) -> { });
    member.identify(UUID.randomUUID(), records);
    member.start(m -> { });
    try {
      member.setEpoch(0x77);
      String address = "127.0.0.1:" + member.localAddress().getPort();
      PeerProbe.Answer answer = PeerProbe.ask(address, LoopbackNode.CLUSTER, ASKER, 5000);
      assertThat(answer.member()).isEqualTo(MemberId.of("m1"));
      assertThat(answer.info()).isEqualTo("bolt=10.0.0.1:7687;db=abc");
      assertThat(answer.epoch()).isEqualTo(0x77);
      assertThat(records.records()).isEmpty();
      assertThatThrownBy(() -> PeerProbe.ask(address, "other-cluster", ASKER, 5000))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cluster id 'other-cluster' does not match");
    } finally {
      member.close();
    }
  }

  /**
   * A member of a TLS cluster answers a probe only over mutual TLS with a certificate it trusts:
   * a joining server of such a cluster learns the database identity this way (it used to probe in
   * plaintext, be refused, and wait out its ten minutes).
   */
  @Test
  void aTlsMemberAnswersATlsProbeAndRefusesPlaintextAndStrangers() throws Exception {
    var ca = TestTls.ca("probe-ca");
    var other = TestTls.ca("other-ca");
    NettyTransport member = new NettyTransport(NettyTransportConfig
        .defaults("127.0.0.1:0", LoopbackNode.CLUSTER, MemberId.of("m1")), RaftLogging.slf4j());
    member.useTls(TestTls.tls(TestTls.member(ca, "m1"), ca.certificate()), TestTls.SETTING);
    member.announce("db=abc", (m, i) -> { });
    member.identify(UUID.randomUUID(), PeerIdentities.inMemory());
    member.start(m -> { });
    try {
      String address = "127.0.0.1:" + member.localAddress().getPort();
      PeerProbe.Answer answer = PeerProbe.ask(address, LoopbackNode.CLUSTER, ASKER, 10_000,
          TestTls.tls(TestTls.member(ca, "asker"), ca.certificate()));
      assertThat(answer.member()).isEqualTo(MemberId.of("m1"));
      assertThat(answer.info()).isEqualTo("db=abc");
      assertThatThrownBy(() -> PeerProbe.ask(address, LoopbackNode.CLUSTER, ASKER, 5000))
          .as("plaintext probe of a TLS member").isInstanceOf(IOException.class);
      assertThatThrownBy(() -> PeerProbe.ask(address, LoopbackNode.CLUSTER, ASKER, 5000,
              TestTls.tls(TestTls.member(other, "stranger"), other.certificate(),
                  ca.certificate())))
          .as("a certificate of another CA").isInstanceOf(IOException.class);
    } finally {
      member.close();
    }
  }

  @Test
  void nobodyListeningFailsWithTheReason() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    int closed = port;
    assertThatThrownBy(() -> PeerProbe.ask("127.0.0.1:" + closed, "c", ASKER, 2000))
        .isInstanceOf(IOException.class);
  }

  @Test
  void theProbeFrameHasAFrozenLayout() {
    MessageCodec codec = new MessageCodec();
    var probe = new WireMessage.Probe(2, "c1", MemberId.of("a"));
    assertThat(java.util.HexFormat.of().formatHex(codec.encode(probe)))
        .isEqualTo("0242" + "47524654" + "00026331" + "000161");
    assertThat(codec.decode(codec.encode(probe))).isEqualTo(probe);
  }
}
