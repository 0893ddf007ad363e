package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.Heartbeat;
import io.graft.raft.message.RaftMessage;
import io.graft.raft.transport.PeerIdentities;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real transports: a member that comes back under its address with a new incarnation (its
 * Raft state was reset, so it may have forgotten its vote, Raft §5.2) is refused in both
 * directions with an operator reason on both ends; the same incarnation after a restart is
 * accepted; once the record is forgotten (a committed removal) the new incarnation is accepted.
 */
class IncarnationHandshakeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final MemberId A = MemberId.of("a");
  private static final MemberId B = MemberId.of("b");

  @TempDir Path dir;
  private final List<Member> running = new ArrayList<>();

  @AfterEach
  void closeAll() {
    running.forEach(Member::close);
  }

  /** A started transport with its identity; inbound messages are queued. */
  private final class Member implements AutoCloseable {
    final NettyTransport transport;
    final BlockingQueue<RaftMessage> inbox = new LinkedBlockingQueue<>();
    final PeerIdentities known;
    final BlockingQueue<String> refusals = new LinkedBlockingQueue<>();

    Member(MemberId id, int port, UUID incarnation, Path state) {
      NettyTransportConfig config = NettyTransportConfig
          .defaults("127.0.0.1:" + port, LoopbackNode.CLUSTER, id).withReconnectBackoff(10, 100);
      transport = new NettyTransport(config, RaftLogging.slf4j());
      known = PeerIdentities.open(state);
      transport.identify(incarnation, known);
      transport.onRefusal(refusals::add);
      transport.start(inbox::add);
      running.add(this);
    }

    @Override
    public void close() {
      transport.close();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void connect(Member x, int xPort, Member y, int yPort) {
    x.transport.setPeers(Map.of(B, "127.0.0.1:" + yPort));
    y.transport.setPeers(Map.of(A, "127.0.0.1:" + xPort));
  }

  /** Sends heartbeats until one arrives, failing after the bound. */
  private static void assertDelivers(Member from, MemberId fromId, MemberId to, Member target)
      throws InterruptedException {
    Heartbeat hb = new Heartbeat(fromId, 7, 0, 42);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      from.transport.send(to, hb);
      return target.inbox.poll(50, TimeUnit.MILLISECONDS) != null;
    });
  }

  @Test
  void resetMemberIsRefusedBothWaysUntilItsRecordIsForgotten() throws Exception {
    int pa = freePort();
    int pb = freePort();
    UUID incA = UUID.randomUUID();
    UUID incB = UUID.randomUUID();
    Member a = new Member(A, pa, incA, dir.resolve("a"));
    Member b = new Member(B, pb, incB, dir.resolve("b"));
    connect(a, pa, b, pb);
    assertDelivers(a, A, B, b);
    assertDelivers(b, B, A, a);
    assertThat(a.known.known(B)).isEqualTo(incB);
    assertThat(b.known.known(A)).isEqualTo(incA);
    // The records are durable: a fresh reader of a's directory sees b.
    assertThat(PeerIdentities.open(dir.resolve("a")).known(B)).isEqualTo(incB);

    // b loses its Raft state: new directory, new incarnation, same address.
    b.close();
    Member wiped = new Member(B, pb, UUID.randomUUID(), dir.resolve("b-wiped"));
    connect(a, pa, wiped, pb);
    // Each side counts a refusal before it logs it (and before it counts it by reason), and a's
    // first refusals may all be of b's inbound dials before a's own redial reaches b: wait until
    // each side has refused and reported both ways, not for a number of refusals.
    await().atMost(WAIT).untilAsserted(() -> {
      // a refused b's inbound and said why; b logged the reason it received (Raft §5.2).
      assertThat(wiped.transport.stats().lastHandshakeRejection())
          .contains("refused by a")
          .contains("presents a new identity")
          .contains("may have forgotten its vote")
          .contains("raft.removeMember('b')");
      // The same lines reach a host log through onRefusal (once per change of reason, each side).
      assertThat(wiped.refusals).anyMatch(l -> l.contains("presents a new identity"));
      assertThat(a.refusals).anyMatch(l -> l.startsWith("Refused Raft connection from b"))
          .anyMatch(l -> l.startsWith("Connection to b at"));
      // a's outbound saw b's new incarnation in the reply and did not use the connection.
      assertThat(a.transport.stats().handshakesRejectedByReason())
          .containsKey("reset_member/self");
      assertThat(wiped.transport.stats().handshakesRejectedByReason())
          .containsKey("reset_member/peer");
    });
    assertThat(a.transport.stats().lastHandshakeRejection())
        .startsWith("member b presents a new identity");
    // Contexts from 1000 up: heartbeats of the old b (context 42) may still sit in a's inbox.
    for (int i = 0; i < 20; i++) {
      a.transport.send(B, new Heartbeat(A, 7, 0, 1000 + i));
      wiped.transport.send(A, new Heartbeat(B, 7, 0, 1000 + i));
    }
    long rejectedA = a.transport.stats().handshakesRejected();
    long rejectedB = wiped.transport.stats().handshakesRejected();
    await().atMost(WAIT).until(() -> a.transport.stats().handshakesRejected() >= rejectedA + 2
        && wiped.transport.stats().handshakesRejected() >= rejectedB + 2);
    assertThat(a.inbox).noneMatch(m -> ((Heartbeat) m).context() >= 1000);
    assertThat(wiped.inbox).isEmpty();
    assertThat(a.known.known(B)).isEqualTo(incB);
    assertThat(a.transport.stats().connectedPeers()).isZero();
    assertThat(wiped.transport.stats().connectedPeers()).isZero();

    // A committed configuration without b: a forgets it, and the new b is accepted and recorded.
    assertThat(a.known.retainOnly(Set.of(A))).containsExactly(B);
    assertDelivers(wiped, B, A, a);
    assertDelivers(a, A, B, wiped);
    assertThat(a.known.known(B)).isNotNull().isNotEqualTo(incB);
  }

  /**
   * The order that hid a's inbound refusal: a dials the reset b first and refuses b's reply, then
   * b dials a. a's inbound refusal carries the same words as its outbound one, and still reaches
   * the host log (each side's line once per change of its own reason).
   */
  @Test
  void inboundRefusalIsReportedAfterAnOutboundRefusalWithTheSameReason() throws Exception {
    int pa = freePort();
    int pb = freePort();
    Member a = new Member(A, pa, UUID.randomUUID(), dir.resolve("a"));
    Member b = new Member(B, pb, UUID.randomUUID(), dir.resolve("b"));
    connect(a, pa, b, pb);
    assertDelivers(a, A, B, b);
    b.close();
    Member wiped = new Member(B, pb, UUID.randomUUID(), dir.resolve("b-wiped"));
    a.transport.setPeers(Map.of(B, "127.0.0.1:" + pb)); // only a dials, for now
    await().atMost(WAIT).until(() -> a.refusals.stream()
        .anyMatch(l -> l.startsWith("Connection to b at") && l.contains("presents a new identity")));
    assertThat(a.refusals).noneMatch(l -> l.startsWith("Refused Raft connection from b"));
    wiped.transport.setPeers(Map.of(A, "127.0.0.1:" + pa));
    await().atMost(WAIT).untilAsserted(() -> assertThat(a.refusals)
        .anyMatch(l -> l.startsWith("Refused Raft connection from b")
            && l.contains("presents a new identity")));
  }

  @Test
  void sameIncarnationAfterARestartIsAccepted() throws Exception {
    int pa = freePort();
    int pb = freePort();
    UUID incB = UUID.randomUUID();
    Member a = new Member(A, pa, UUID.randomUUID(), dir.resolve("a"));
    Member b = new Member(B, pb, incB, dir.resolve("b"));
    connect(a, pa, b, pb);
    assertDelivers(a, A, B, b);
    assertDelivers(b, B, A, a);
    b.close();
    Member restarted = new Member(B, pb, incB, dir.resolve("b"));
    connect(a, pa, restarted, pb);
    assertDelivers(restarted, B, A, a);
    assertDelivers(a, A, B, restarted);
    assertThat(a.transport.stats().handshakesRejected()).isZero();
    assertThat(restarted.transport.stats().handshakesRejected()).isZero();
  }
}
