package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.RaftStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void followersReplaceALeaderThatIsGoneWithoutWaitingForAnElectionTimeout() throws Exception {
    // election timeout 5-10 s (NettyTrio)
    NettyTrio trio = NettyTrio.start(tmp, "crash", b -> b);
    nodes.addAll(trio.nodes);
    RaftNodeRunner leader = trio.agreedLeader();
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
