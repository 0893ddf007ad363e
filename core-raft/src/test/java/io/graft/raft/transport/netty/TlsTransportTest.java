package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.cluster.tls.CertificateAuthority;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.TransportTls;
import io.graft.raft.message.AppendEntries;
import io.graft.raft.message.EntryType;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.LogEntry;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.RandomMessages;
import io.graft.raft.transport.TransportStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS on real loopback sockets (TESTING.md tier 3): members of one CA exchange every message
 * type (and a 12 MiB frame) over TLS; a member whose certificate the other side does not trust,
 * one that does not trust the other side, one with no certificate and one whose certificate does
 * not name its address are refused during the TLS handshake with a reason on the side that
 * decided and a reason on the other side, and nothing they send is delivered; a TLS member and a
 * plaintext member refuse each other, each naming the setting and which member runs without TLS;
 * trust changed in the host's contexts takes effect on the next connection (rotation); a host
 * can bind member ids to certificates.
 */
class TlsTransportTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final CertificateAuthority clusterCa = TestTls.ca("cluster-ca");
  private final CertificateAuthority otherCa = TestTls.ca("other-ca");
  private final List<LoopbackNode> nodes = new ArrayList<>();

  @AfterEach
  void closeAll() {
    nodes.forEach(LoopbackNode::close);
  }

  private LoopbackNode node(String id, TransportTls tls) {
    LoopbackNode n = LoopbackNode.start(id, tls);
    nodes.add(n);
    return n;
  }

  private LoopbackNode member(String id) {
    return node(id, TestTls.tls(TestTls.member(clusterCa, id), clusterCa.certificate()));
  }

  private static void awaitStats(LoopbackNode n, Predicate<TransportStats> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
        .until(() -> condition.test(n.transport.stats()));
  }

  private static void dial(LoopbackNode from, LoopbackNode to) {
    from.transport.setPeers(Map.of(to.id, to.address()));
  }

  @Test
  void membersOfOneCaExchangeEveryMessageTypeAndLargeFramesOverTls() throws Exception {
    LoopbackNode a = member("a");
    LoopbackNode b = member("b");
    dial(a, b);
    assertThat(a.transport.tlsEnabled()).isTrue();
    List<RaftMessage> sent = new ArrayList<>();
    RandomMessages gen = new RandomMessages(7);
    for (int kind = 0; kind < RandomMessages.TYPE_COUNT; kind++) {
      RaftMessage m = gen.of(kind, a.id);
      sent.add(m);
      a.transport.send(b.id, m);
    }
    byte[] big = new byte[12 << 20]; // many TLS records, within the default 16 MiB frame
    big[big.length - 1] = 42;
    AppendEntries large = new AppendEntries(a.id, 3, 0, 0,
        List.of(new LogEntry(3, 1, EntryType.APPLICATION, big)), 0);
    a.transport.send(b.id, large);
    for (RaftMessage expected : sent) {
      assertThat(b.receive()).usingRecursiveComparison().isEqualTo(expected);
    }
    AppendEntries got = (AppendEntries) b.receive();
    assertThat(got.entries().get(0).payload()).hasSize(big.length).endsWith(42);
    assertThat(b.transport.stats().handshakesRejected()).isZero();
  }

  @Test
  void certificateTheServerDoesNotTrustIsRefusedInTheTlsHandshakeOnBothSides()
      throws Exception {
    LoopbackNode b = member("b");
    // x trusts the cluster CA (so it accepts b) but its own certificate comes from another CA.
    LoopbackNode x = node("x", TestTls.tls(TestTls.member(otherCa, "x"),
        clusterCa.certificate()));
    dial(x, b);
    x.transport.send(b.id, new Heartbeat(x.id, 9, 0, 0));
    awaitStats(b, s -> s.handshakesRejected() >= 1);
    assertThat(b.transport.stats().lastHandshakeRejection())
        .contains("presented no certificate signed by a CA this member trusts")
        .contains(TestTls.SETTING);
    awaitStats(x, s -> s.handshakesRejected() >= 1);
    assertThat(x.transport.stats().lastHandshakeRejection())
        .contains("b at 127.0.0.1:" + b.port() + " refused this member's certificate");
    assertThat(x.transport.stats().connectedPeers()).isZero();
    assertThat(b.inbox).isEmpty();
    assertThat(b.transport.stats().messagesReceived()).isZero();
  }

  @Test
  void serverCertificateTheClientDoesNotTrustIsRefusedByTheClient() throws Exception {
    LoopbackNode b = member("b");
    // y's certificate is from the cluster CA (b would accept it), but y trusts only another CA.
    LoopbackNode y = node("y", TestTls.tls(TestTls.member(clusterCa, "y"),
        otherCa.certificate()));
    dial(y, b);
    y.transport.send(b.id, new Heartbeat(y.id, 9, 0, 0));
    awaitStats(y, s -> s.handshakesRejected() >= 1);
    assertThat(y.transport.stats().lastHandshakeRejection())
        .contains("the certificate of b at 127.0.0.1:" + b.port() + " is not trusted");
    awaitStats(b, s -> s.handshakesRejected() >= 1);
    assertThat(b.transport.stats().lastHandshakeRejection())
        .contains("refused this member's certificate");
    assertThat(b.inbox).isEmpty();
  }

  @Test
  void peerWithoutACertificateIsRefused() throws Exception {
    LoopbackNode b = member("b");
    try (var socket = TestTls.rogueSocket(b.port(), null);
        RawClient rogue = new RawClient(socket)) {
      rogue.handshake(LoopbackNode.CLUSTER, "rogue");
      rogue.awaitClosedByServer();
    } catch (java.io.IOException refusedInHandshake) {
      // The TLS handshake may fail on the client side too, or the server has closed the socket
      // before the write (broken pipe); either way nothing got through.
    }
    awaitStats(b, s -> s.handshakesRejected() >= 1);
    assertThat(b.transport.stats().lastHandshakeRejection())
        .contains("presented no certificate");
    assertThat(b.inbox).isEmpty();
  }

  @Test
  void certificateThatDoesNotNameTheDialledAddressIsRefusedWithHostnameVerification()
      throws Exception {
    CertificateAuthority.Issued elsewhere = clusterCa.issue("b", List.of("10.9.9.9"),
        TestTls.DAY);
    LoopbackNode b = node("b", TestTls.tls(elsewhere, clusterCa.certificate()));
    LoopbackNode a = member("a");
    dial(a, b);
    a.transport.send(b.id, new Heartbeat(a.id, 1, 0, 0));
    awaitStats(a, s -> s.handshakesRejected() >= 1);
    assertThat(a.transport.stats().lastHandshakeRejection())
        .contains("does not name the address it was dialled at");
    assertThat(b.inbox).isEmpty();
  }

  @Test
  void plaintextMemberIsRefusedByATlsMemberAndBothNameTheSetting() throws Exception {
    LoopbackNode b = member("b");
    LoopbackNode p = node("p", null);
    dial(p, b);
    p.transport.send(b.id, new Heartbeat(p.id, 1, 0, 0));
    String expected = "member b requires TLS (" + TestTls.SETTING + "=true there) and p"
        + " connected without TLS";
    awaitStats(b, s -> s.handshakesRejected() >= 1);
    assertThat(b.transport.stats().lastHandshakeRejection()).contains(expected)
        .contains("enable " + TestTls.SETTING);
    awaitStats(p, s -> s.handshakesRejected() >= 1);
    assertThat(p.transport.stats().lastHandshakeRejection()).contains("refused by b: " + expected);
    assertThat(b.inbox).isEmpty();
  }

  @Test
  void tlsMemberIsRefusedByAPlaintextMemberAndBothNameTheSetting() throws Exception {
    LoopbackNode p = node("p", null);
    LoopbackNode b = member("b");
    dial(b, p);
    b.transport.send(p.id, new Heartbeat(b.id, 1, 0, 0));
    awaitStats(p, s -> s.handshakesRejected() >= 1);
    assertThat(p.transport.stats().lastHandshakeRejection())
        .contains("member p runs without TLS (" + TestTls.SETTING + " is not true there)")
        .contains("connected with TLS");
    awaitStats(b, s -> s.handshakesRejected() >= 1);
    assertThat(b.transport.stats().lastHandshakeRejection())
        .contains("refused by p: member p runs without TLS").contains("this member connected");
    assertThat(b.transport.stats().connectedPeers()).isZero();
    assertThat(p.inbox).isEmpty();
  }

  @Test
  void hostCanBindMemberIdsToCertificates() throws Exception {
    TransportTls plain = TestTls.tls(TestTls.member(clusterCa, "b"), clusterCa.certificate());
    LoopbackNode b = node("b", TestTls.following(() -> plain, (member, certificate) -> {
      String subject = certificate.getSubjectX500Principal().getName();
      return subject.contains("CN=" + member + ",") ? null
          : "certificate " + subject + " is not " + member + "'s";
    }));
    // A trusted certificate, issued to mallory, used to speak as member a.
    LoopbackNode a = node("a", TestTls.tls(TestTls.member(clusterCa, "mallory"),
        clusterCa.certificate()));
    LoopbackNode c = member("c");
    dial(a, b);
    dial(c, b);
    a.transport.send(b.id, new Heartbeat(a.id, 1, 0, 0));
    awaitStats(a, s -> s.handshakesRejected() >= 1);
    assertThat(a.transport.stats().lastHandshakeRejection())
        .contains("refused by b: certificate CN=mallory,O=graft is not a's");
    Heartbeat fromC = new Heartbeat(c.id, 1, 0, 0);
    c.transport.send(b.id, fromC);
    assertThat(b.receive()).isEqualTo(fromC);
    assertThat(b.inbox).isEmpty();
  }

  @Test
  void trustAddedToTheHostsContextsTakesEffectOnTheNextConnection() throws Exception {
    CertificateAuthority.Issued bCert = TestTls.member(clusterCa, "b");
    TransportTls before = TestTls.tls(bCert, clusterCa.certificate());
    TransportTls after = TestTls.tls(bCert, clusterCa.certificate(), otherCa.certificate());
    AtomicReference<TransportTls> current = new AtomicReference<>(before);
    LoopbackNode b = node("b", TestTls.following(current::get, (member, cert) -> null));
    LoopbackNode x = node("x", TestTls.tls(TestTls.member(otherCa, "x"),
        clusterCa.certificate()));
    dial(x, b);
    x.transport.send(b.id, new Heartbeat(x.id, 1, 0, 0));
    awaitStats(b, s -> s.handshakesRejected() >= 1);
    assertThat(b.inbox).isEmpty();

    current.set(after); // e.g. the other CA's certificate copied into trusted_dir
    awaitStats(x, s -> s.connectedPeers() == 1);
    Heartbeat hb = new Heartbeat(x.id, 2, 0, 0);
    x.transport.send(b.id, hb);
    RaftMessage first = b.receive();
    assertThat(first).isIn(hb, new Heartbeat(x.id, 1, 0, 0));
    assertThat(MemberId.of("x")).isEqualTo(first.from());
  }
}
