package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.Role;
import io.graft.raft.message.LogEntry;
import io.graft.raft.protocol.log.LogReader;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.NettyTransportConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members on real sockets with durable stores, ids = advertised addresses (as in the
 * plugin). A follower whose data directory is wiped and that restarts under the same address has
 * forgotten its term and vote (Raft §5.2, Figure 2): it must never take part again under that
 * address (its handshakes are refused both ways, so no vote of it is ever requested, granted or
 * counted) while the other two keep committing. removeMember + addMember then brings it back as
 * a new voter (thesis §4.1) with a log identical to the others'.
 */
class WipedMemberIdentityTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long TICK_MILLIS = 20;

  @TempDir Path root;
  private final Map<MemberId, RaftNodeRunner> nodes = new HashMap<>();
  private final Map<MemberId, NettyTransport> transports = new HashMap<>();
  private final Set<MemberId> voters = new LinkedHashSet<>();

  @AfterEach
  void closeAll() {
    nodes.values().forEach(RaftNodeRunner::close);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path dir(MemberId id) {
    return root.resolve(id.value().replace(':', '_'));
  }

  /** The plugin's wiring: identity from the data directory, own Netty transport, durable log. */
  private RaftNodeRunner start(MemberId id) {
    RaftNodeBuilder.Identity identity = RaftNodeBuilder.identity(dir(id), RaftLogging.slf4j());
    NettyTransport transport = new NettyTransport(
        NettyTransportConfig.defaults(id.value(), "identity-test", id)
            .withReconnectBackoff(10, 200), RaftLogging.slf4j());
    transport.identify(identity.incarnation(), identity.peers());
    Map<MemberId, String> peers = new HashMap<>();
    voters.forEach(v -> peers.put(v, v.value()));
    RaftNodeRunner node = RaftNodeRunner.builder()
        .self(id)
        .initialVoters(voters)
        .config(LocalCluster.config())
        .tickMillis(TICK_MILLIS)
        .dataDirectory(dir(id))
        .transport(transport)
        .peerIdentities(identity.peers())
        .peers(peers)
        .stateMachine(new RecordingStateMachine())
        .randomSeed(id.hashCode())
        .build()
        .start();
    nodes.put(id, node);
    transports.put(id, transport);
    return node;
  }

  private RaftNodeRunner awaitLeader() {
    return await().atMost(WAIT).until(() -> nodes.values().stream()
        .filter(n -> n.status().role() == Role.LEADER)
        .max(Comparator.comparingLong(n -> n.status().term())).orElse(null), n -> n != null);
  }

  /** Commits through whoever leads (the two healthy members may re-elect under load). */
  private long commit(String what) {
    return Reelections.commit(this::awaitLeader, what.getBytes()).index();
  }

  @Test
  void wipedFollowerIsRefusedUntilRemovedAndAddedBack() throws Exception {
    for (int i = 0; i < 3; i++) {
      voters.add(MemberId.of("127.0.0.1:" + freePort()));
    }
    voters.forEach(this::start);
    RaftNodeRunner first = awaitLeader();
    for (int i = 0; i < 10; i++) {
      commit("before-" + i);
    }
    MemberId wipedId = voters.stream().filter(v -> !v.equals(first.self())).findFirst()
        .orElseThrow();

    nodes.remove(wipedId).close();
    deleteTree(dir(wipedId));
    RaftNodeRunner wiped = start(wipedId);
    // Several of its election timeouts (300-600 ms) while the others keep committing: the wiped
    // member campaigns, but it is refused in both directions, so it never hears a term, never
    // starts an election (its PreVotes reach nobody), never gets a vote or an entry. (The two
    // others may still re-elect between themselves on a loaded machine: that is no disturbance
    // of the wiped member's making, and it does not hide one.)
    long start = System.nanoTime();
    int writes = 0;
    // At least 4 s, more than 10 writes and one campaign of its own, whichever comes last (a
    // loaded disk may commit fewer than 10 writes in 4 s), within WAIT.
    while (System.nanoTime() - start < WAIT.toNanos()
        && (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4)
            || writes <= 10
            || wiped.metrics().preVotesStarted() == 0)) {
      commit("during-" + writes++);
      assertThat(wiped.status().role()).isNotEqualTo(Role.LEADER);
      assertThat(wiped.status().lastLogIndex()).isZero();
      assertThat(wiped.status().term()).as("no term ever reached the wiped member").isZero();
    }
    assertThat(writes).isGreaterThan(10);
    assertThat(wiped.metrics().preVotesStarted()).as("it campaigned").isPositive();
    assertThat(wiped.metrics().electionsStarted())
        .as("its PreVotes never won: it never raised a term").isZero();
    assertThat(wiped.status().term()).as("pre-votes never reached a peer").isZero();
    assertThat(transports.get(wipedId).stats().lastHandshakeRejection())
        .contains("presents a new identity").contains("may have forgotten its vote");
    RaftNodeRunner leader = awaitLeader();
    assertThat(leader.self()).isNotEqualTo(wipedId);
    for (MemberId healthy : voters) {
      if (!healthy.equals(wipedId)) {
        assertThat(transports.get(healthy).stats().lastHandshakeRejection())
            .contains("member " + wipedId + " presents a new identity");
      }
    }

    // The documented way back: remove it (its record is forgotten), then add it back.
    Reelections.change(this::awaitLeader, l -> l.removeMember(wipedId),
        m -> !m.contains(wipedId));
    Membership added = Reelections.change(this::awaitLeader, l -> l.addMember(wipedId),
        m -> m.voters().contains(wipedId));
    assertThat(added.voters()).contains(wipedId);
    long last = commit("final");
    await().atMost(WAIT).until(() -> nodes.values().stream()
        .allMatch(n -> n.status().appliedIndex() >= last));
    List<List<String>> logs = new ArrayList<>();
    for (RaftNodeRunner n : nodes.values()) {
      logs.add(n.inspectLog(log -> describe(log, last)).get(30, TimeUnit.SECONDS));
    }
    for (List<String> log : logs) {
      assertThat(log).hasSize((int) last).isEqualTo(logs.get(0));
    }
    assertThat(wiped.membership().voters()).contains(wipedId);
  }

  @Test
  void theBuildersOwnNettyTransportGetsTheIdentityOfItsDataDirectory() throws Exception {
    MemberId id = MemberId.of("127.0.0.1:" + freePort());
    voters.add(id);
    Path data = dir(id);
    RaftNodeRunner node = RaftNodeRunner.builder().self(id).initialVoters(voters)
        .config(LocalCluster.config()).tickMillis(TICK_MILLIS).dataDirectory(data)
        .nettyTransport(id.value(), "identity-test").stateMachine(new RecordingStateMachine())
        .build();
    assertThat(node.failure()).isEmpty();
    node.close();
    java.util.UUID first = readIncarnation(data);
    RaftNodeRunner.builder().self(id).initialVoters(voters).config(LocalCluster.config())
        .dataDirectory(data).nettyTransport(id.value(), "identity-test")
        .stateMachine(new RecordingStateMachine()).build().close();
    assertThat(readIncarnation(data)).as("kept while the term/vote file lives").isEqualTo(first);
    assertThat(RaftNodeBuilder.hasRaftState(data)).isTrue();
    deleteTree(data.resolve("meta"));
    assertThat(RaftNodeBuilder.hasRaftState(data)).isFalse();
    assertThat(RaftNodeBuilder.identity(data,
        RaftLogging.slf4j()).incarnation()).isNotEqualTo(first);
  }

  private static java.util.UUID readIncarnation(Path data) throws IOException {
    return java.util.UUID.fromString(
        Files.readString(data.resolve("meta").resolve("raft-incarnation")).trim());
  }

  private static List<String> describe(LogReader log, long upTo) {
    List<String> out = new ArrayList<>();
    for (long i = 1; i <= upTo; ) {
      for (LogEntry e : log.entries(i, upTo + 1, 1L << 20)) {
        out.add(e.term() + "/" + e.type() + "/" + Arrays.hashCode(e.payload()));
        i++;
      }
    }
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
