package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.transport.SelfAddressingTransport;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.NettyTransportConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader whose process goes away closes its connections at once; its followers notice through
 * the transport (Transport.onPeerLost, also through the plugin's SelfAddressingTransport wrapper)
 * and elect a new leader long before an election timeout. The timeout here is 5-10 s, so a new
 * leader within 4 s can only come from the lost-connection path.
 */
class LeaderCrashOverNettyTest {
  private final List<RaftNodeRunner> nodes = new ArrayList<>();

  @TempDir Path tmp;

  @AfterEach
  void closeAll() {
    nodes.forEach(RaftNodeRunner::close);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Test
  void followersReplaceALeaderThatIsGoneWithoutWaitingForAnElectionTimeout() throws Exception {
    // 50 ms ticks: election timeout 100 ticks = 5-10 s, heartbeat 100 ms.
    RaftConfig config = new RaftConfig(100, 2, 256, 1L << 20, 32, 64L << 20, true, true);
    Map<MemberId, String> addresses = new HashMap<>();
    Set<MemberId> voters = new LinkedHashSet<>();
    for (int i = 1; i <= 3; i++) {
      MemberId id = MemberId.of("127.0.0.1:" + freePort());
      voters.add(id);
      addresses.put(id, id.value());
    }
    for (MemberId id : voters) {
      Map<MemberId, String> peers = new HashMap<>(addresses);
      peers.remove(id);
      NettyTransport netty = new NettyTransport(
          NettyTransportConfig.defaults(id.value(), "crash", id).withReconnectBackoff(10, 200),
              RaftLogging.slf4j());
      nodes.add(RaftNodeRunner.builder().self(id).initialVoters(voters).config(config)
          .tickMillis(50).dataDirectory(tmp.resolve(id.value().replace(':', '_')))
          .transport(new SelfAddressingTransport(netty)).peers(peers)
          .stateMachine(new RecordingStateMachine()).randomSeed(id.hashCode()).build().start());
    }
    // A first entry through whoever leads (a loaded machine may re-elect while the cluster
    // forms: not what this test is about), then one leader every member agrees on.
    Reelections.commit(
        () -> nodes.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null),
        new byte[] {1});
    RaftNodeRunner leader = await().atMost(Duration.ofSeconds(60)).until(
        () -> nodes.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null),
        n -> n != null && nodes.stream().allMatch(o -> n.self().equals(o.status().leader())));
    long term = leader.status().term();

    long closed = System.nanoTime();
    leader.close(); // its sockets close, as a killed process's do
    List<RaftNodeRunner> rest = new ArrayList<>(nodes);
    rest.remove(leader);
    RaftNodeRunner next = await().atMost(Duration.ofSeconds(4)).until(
        () -> rest.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null),
        n -> n != null);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
    RaftStatus s = next.status();
    System.out.println("new leader " + s.self() + " in term " + s.term() + " after " + millis
        + " ms (election timeout 5-10 s)");
    assertThat(s.term()).isGreaterThan(term);
    assertThat(next.propose(new byte[] {2}).get(30, TimeUnit.SECONDS).index()).isPositive();
  }
}
