package io.graft.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.message.Heartbeat;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A member can refuse a peer from its announcement (the Neo4j plugin: a member replicating a
 * database of another identity), in both handshake directions: nothing is delivered and the
 * reason is in the refused member's stats.
 */
class AnnouncementAdmissionTest {
  @Test
  void aPeerWhoseAnnouncementIsRejectedIsRefusedBothWays() {
    Set<String> receivedByB = ConcurrentHashMap.newKeySet();
    NettyTransport a = transport("a", "db=1", receivedByB, Set.of());
    NettyTransport b = transport("b", "db=2", receivedByB, Set.of("db=1"));
    try {
      a.setPeers(Map.of(MemberId.of("b"), "127.0.0.1:" + b.localAddress().getPort()));
      b.setPeers(Map.of(MemberId.of("a"), "127.0.0.1:" + a.localAddress().getPort()));
      a.send(MemberId.of("b"), new Heartbeat(MemberId.of("a"), 1, 0, 0));
      await().atMost(Duration.ofSeconds(10)).until(() ->
          String.valueOf(a.stats().lastHandshakeRejection()).contains("announces db=1")
              && String.valueOf(b.stats().lastHandshakeRejection()).contains("announces db=1"));
      assertThat(receivedByB).isEmpty();
    } finally {
      a.close();
      b.close();
    }
  }

  private static NettyTransport transport(String id, String info, Set<String> received,
      Set<String> rejected) {
    NettyTransport t = new NettyTransport(NettyTransportConfig
        .defaults("127.0.0.1:0", LoopbackNode.CLUSTER, MemberId.of(id))
        .withReconnectBackoff(10, 200), RaftLogging.slf4j());
    t.announce(info, (member, announced) -> { });
    t.admitAnnouncements((member, announced) -> rejected.contains(announced)
        ? member + " announces " + announced : null);
    t.start(m -> received.add(m.getClass().getSimpleName()));
    return t;
  }
}
