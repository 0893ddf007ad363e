package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
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
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/**
 * Three members over real Netty transports on loopback (free ports, ids are their addresses, as
 * the plugin's), each with a {@link RecordingStateMachine}: 50 ms ticks, an election timeout of
 * 100 ticks (5-10 s) and a 100 ms heartbeat, so a leader replaced within seconds can only have
 * been noticed through its lost connections.
 */
final class NettyTrio {
  static final RaftConfig SLOW_ELECTIONS =
      new RaftConfig(100, 2, 256, 1L << 20, 32, 64L << 20, true, true);

  final List<RaftNodeRunner> nodes = new ArrayList<>();
  final Map<RaftNodeRunner, RecordingStateMachine> machines = new HashMap<>();

  private NettyTrio() {}

  /** Starts the three members in {@code dir}; {@code extra} adds to each one's builder. */
  static NettyTrio start(Path dir, String clusterId, UnaryOperator<RaftNodeBuilder> extra)
      throws IOException {
    Map<MemberId, String> addresses = new HashMap<>();
    Set<MemberId> voters = new LinkedHashSet<>();
    for (int i = 1; i <= 3; i++) {
      MemberId id = MemberId.of("127.0.0.1:" + freePort());
      voters.add(id);
      addresses.put(id, id.value());
    }
    NettyTrio trio = new NettyTrio();
    try {
      trio.startEach(dir, clusterId, extra, voters, addresses);
    } catch (IOException | RuntimeException e) {
      trio.nodes.forEach(RaftNodeRunner::close); // the ones that started
      throw e;
    }
    return trio;
  }

  private void startEach(Path dir, String clusterId, UnaryOperator<RaftNodeBuilder> extra,
      Set<MemberId> voters, Map<MemberId, String> addresses) throws IOException {
    for (MemberId id : voters) {
      Map<MemberId, String> peers = new HashMap<>(addresses);
      peers.remove(id);
      NettyTransport netty = new NettyTransport(
          NettyTransportConfig.defaults(id.value(), clusterId, id).withReconnectBackoff(10, 200),
          RaftLogging.slf4j());
      RecordingStateMachine sm = new RecordingStateMachine();
      RaftNodeRunner node = extra.apply(RaftNodeRunner.builder().self(id).initialVoters(voters)
              .config(SLOW_ELECTIONS).tickMillis(50)
              .dataDirectory(dir.resolve(id.value().replace(':', '_')))
              .transport(new SelfAddressingTransport(netty)).peers(peers).stateMachine(sm)
              .randomSeed(id.hashCode()))
          .build().start();
      nodes.add(node);
      machines.put(node, sm);
    }
  }

  /**
   * Commits a first entry through whoever leads (a loaded machine may re-elect while the cluster
   * forms), then returns the leader every member agrees on.
   */
  RaftNodeRunner agreedLeader() {
    Reelections.commit(
        () -> nodes.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null),
        new byte[] {1});
    return Awaitility.await().atMost(Duration.ofSeconds(60)).until(
        () -> nodes.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null),
        n -> n != null && nodes.stream().allMatch(o -> n.self().equals(o.status().leader())));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
