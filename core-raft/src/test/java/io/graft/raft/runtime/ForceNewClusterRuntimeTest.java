package io.graft.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.graft.raft.api.ForcedCluster;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * forceNewCluster on real sockets with durable stores and member ids = addresses, as in the
 * plugin. Three members commit; two are stopped for good; the survivor is refused while it still
 * believes in a leader or could reach a majority, then re-forms the cluster alone, keeps every
 * entry it had, commits new ones, and keeps the re-formed configuration across a restart. The
 * two old members restarted on their old state are refused by the handshake (their epoch is the
 * old cluster's) and change nothing; wiped and added back with addMember they join the new
 * cluster with a log identical to the survivor's.
 */
class ForceNewClusterRuntimeTest {
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

  private RaftNodeRunner start(MemberId id, Set<MemberId> initialVoters) {
    RaftNodeBuilder.Identity identity = RaftNodeBuilder.identity(dir(id), RaftLogging.slf4j());
    NettyTransport transport = new NettyTransport(
        NettyTransportConfig.defaults(id.value(), "force-test", id)
            .withReconnectBackoff(10, 200), RaftLogging.slf4j());
    transport.identify(identity.incarnation(), identity.peers());
    Map<MemberId, String> peers = new HashMap<>();
    initialVoters.forEach(v -> peers.put(v, v.value()));
    RaftNodeRunner node = RaftNodeRunner.builder()
        .self(id)
        .initialVoters(initialVoters)
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

  private static long commit(RaftNodeRunner leader, String what) throws Exception {
    return leader.propose(what.getBytes()).get(30, TimeUnit.SECONDS).index();
  }

  @Test
  void survivorReformsTheClusterAndTheOldMembersAreRefusedUntilWipedAndAdded()
      throws Exception {
    for (int i = 0; i < 3; i++) {
      voters.add(MemberId.of("127.0.0.1:" + freePort()));
    }
    voters.forEach(v -> start(v, voters));
    long acknowledged = 0;
    for (int i = 0; i < 20; i++) {
      // through whoever leads: a loaded machine may re-elect while the cluster forms
      acknowledged = Reelections.commit(this::awaitLeader, ("before-" + i).getBytes()).index();
    }
    RaftNodeRunner leader = awaitLeader();
    MemberId survivorId = leader.self();
    RaftNodeRunner follower = nodes.values().stream().filter(n -> n != leader).findFirst()
        .orElseThrow();
    assertThatThrownBy(() -> follower.forceNewCluster().get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(MembershipChangeException.class)
        .hasMessageContaining("leader of term");

    // The two followers are lost for good; the leader steps down (CheckQuorum).
    List<MemberId> lost = voters.stream().filter(v -> !v.equals(survivorId)).toList();
    lost.forEach(id -> nodes.remove(id).close());
    RaftNodeRunner survivor = nodes.get(survivorId);
    await().atMost(WAIT).until(() -> survivor.status().leader() == null);
    long termBefore = survivor.status().term();
    ForcedCluster forced = await().atMost(WAIT).until(() -> forceOrNull(survivor),
        f -> f != null);

    assertThat(forced.previousVoters()).containsExactlyInAnyOrderElementsOf(voters);
    assertThat(forced.knownCommittedIndex()).isGreaterThanOrEqualTo(acknowledged);
    assertThat(forced.epoch()).isNotIn(Membership.NO_EPOCH, Membership.FOUNDING_EPOCH);
    assertThat(forced.describe()).contains("FORCED A NEW CLUSTER").contains("raft.addMember");
    assertThat(survivor.status().role()).isEqualTo(Role.LEADER);
    assertThat(survivor.status().term()).isGreaterThan(termBefore);
    assertThat(survivor.membership().voters()).containsExactly(survivorId);
    long after = commit(survivor, "after-force");
    assertThat(after).isGreaterThan(forced.configurationIndex());

    // A restart keeps the re-formed cluster (the configuration entry is in the durable log).
    nodes.remove(survivorId).close();
    RaftNodeRunner restarted = start(survivorId, voters);
    await().atMost(WAIT).until(() -> restarted.status().role() == Role.LEADER);
    assertThat(restarted.membership().voters()).containsExactly(survivorId);
    assertThat(restarted.membership().epoch()).isEqualTo(forced.epoch());
    long term = restarted.status().term();
    long last = commit(restarted, "after-restart");

    // The old members come back on their old state: refused both ways, nothing changes.
    lost.forEach(id -> start(id, voters));
    await().atMost(WAIT).until(() -> lost.stream().allMatch(id -> String.valueOf(
        transports.get(id).stats().lastHandshakeRejection()).contains("another incarnation")));
    for (int i = 0; i < 20; i++) {
      last = commit(restarted, "with-old-members-around-" + i);
    }
    assertThat(restarted.status().term()).isEqualTo(term);
    assertThat(restarted.membership().voters()).containsExactly(survivorId);
    assertThat(transports.get(survivorId).stats().lastHandshakeRejection())
        .contains("another incarnation").contains("raft.addMember");
    for (MemberId id : lost) {
      // Never merged: they never received the forced configuration (they may run their old
      // cluster among themselves, which is another cluster now).
      assertThat(nodes.get(id).membership().epoch()).isEqualTo(Membership.FOUNDING_EPOCH);
    }

    // Both old members wiped and started again (empty, as a user does before re-adding them);
    // one is added back: it joins the new cluster with the survivor's log. While it replays the
    // history it passes the OLD configuration, in which it and the other wiped member are a
    // majority: it must not campaign there (it once did, and deposed the forced leader).
    MemberId back = lost.get(0);
    for (MemberId id : lost) {
      nodes.remove(id).close();
      deleteTree(dir(id));
      start(id, voters);
    }
    Membership grown = restarted.addMember(back).get(60, TimeUnit.SECONDS);
    assertThat(grown.voters()).containsExactlyInAnyOrder(survivorId, back);
    assertThat(restarted.status().role()).isEqualTo(Role.LEADER);
    assertThat(restarted.status().term()).as("nobody campaigned while catching up").isEqualTo(term);
    long finalIndex = commit(restarted, "final");
    await().atMost(WAIT).until(() -> nodes.get(back).status().appliedIndex() >= finalIndex);
    assertThat(nodes.get(back).inspectLog(log -> describe(log, finalIndex))
        .get(30, TimeUnit.SECONDS))
        .isEqualTo(restarted.inspectLog(log -> describe(log, finalIndex))
            .get(30, TimeUnit.SECONDS));
    assertThat(nodes.get(lost.get(1)).membership().epoch())
        .isEqualTo(Membership.FOUNDING_EPOCH);
    assertThat(nodes.get(back).membership().epoch()).isEqualTo(forced.epoch());
  }

  private static ForcedCluster forceOrNull(RaftNodeRunner node) throws Exception {
    try {
      return node.forceNewCluster().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof MembershipChangeException) {
        return null; // not yet: leader still remembered, or the voters not silent long enough
      }
      throw e;
    }
  }

  private static List<String> describe(LogReader log, long upTo) {
    List<String> out = new ArrayList<>();
    for (long i = log.firstIndex(); i <= upTo; ) {
      for (LogEntry e : log.entries(i, upTo + 1, 1L << 20)) {
        out.add(e.index() + "/" + e.term() + "/" + e.type() + "/" + Arrays.hashCode(e.payload()));
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
