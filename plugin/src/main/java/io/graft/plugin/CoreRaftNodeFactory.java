package io.graft.plugin;

import io.graft.plugin.routing.BoltAddressBook;
import io.graft.plugin.routing.SelfAddressingTransport;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.StateMachine;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.RaftNodeBuilder;
import io.graft.raft.runtime.RaftNodeRunner;
import io.graft.raft.runtime.SnapshotPolicy;
import io.graft.raft.transport.Transport;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.NettyTransportConfig;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The production path: core-raft's {@link RaftNodeRunner} with the segmented log and meta store
 * under {@code <data>/raft/<db>/} and the Netty transport on {@code server.raft.listen_address}.
 * Member ids are advertised Raft addresses, so a peer's id is also where to reach it.
 */
final class CoreRaftNodeFactory implements RaftNodeFactory {
  @Override
  public RaftNode create(RaftNodeSpec spec, StateMachine stateMachine) {
    Set<MemberId> voters = new LinkedHashSet<>(spec.initialMembers());
    Map<MemberId, String> peers = new HashMap<>();
    for (MemberId m : voters) {
      if (!m.equals(spec.self())) {
        peers.put(m, m.value());
      }
    }
    long heartbeatMillis = spec.heartbeatInterval().toMillis();
    long tickMillis = Math.max(1, Math.min(50, heartbeatMillis / 2));
    RaftConfig timed =
        RaftNodeBuilder.configFromMillis(
            RaftConfig.defaults(), spec.electionTimeout().toMillis(), heartbeatMillis, tickMillis);
    // The runtime refuses a proposal larger than appendBytesMax (core-raft's default is 4 MiB),
    // so it must admit every entry server.raft.max_entry_size admits (at most MAX_ENTRY_BYTES):
    // the full-size platinum batch (6 MB) was refused by the 4 MiB default although the setting
    // said 16 MiB.
    RaftConfig config = new RaftConfig(timed.electionTimeoutTicks(),
        timed.heartbeatIntervalTicks(), timed.entriesPerAppendMax(),
        Math.max(timed.appendBytesMax(), RaftPluginConfig.MAX_ENTRY_BYTES),
        timed.inflightAppendsMax(), timed.uncommittedBytesMax(), timed.preVote(),
        timed.checkQuorum()).validate();
    // A state machine that applied entries (for Neo4j: the store's consensusIndex) with no Raft
    // state next to it: the state was removed and the vote forgotten. Refuse (Raft §5.2).
    RaftStateGuard.check(
        spec.raftDirectory(), stateMachine.lastAppliedIndex(), spec.self().value());
    // Before build() opens the term/vote file: a new one means a new incarnation, which peers
    // that knew this address refuse (a reset member may have forgotten its vote, Raft §5.2).
    RaftNodeBuilder.Identity identity = RaftNodeBuilder.identity(spec.raftDirectory());
    RaftNodeBuilder builder = RaftNodeRunner.builder()
        .self(spec.self())
        .initialVoters(voters)
        .config(config)
        .tickMillis(tickMillis)
        .dataDirectory(spec.raftDirectory())
        .transport(transport(spec, identity))
        .peerIdentities(identity.peers())
        .peers(peers)
        .stateMachine(stateMachine);
    if (stateMachine.snapshots() != null) {
      // Store-copy snapshots (GraphStateMachine sets them before this call) in <raft>/snapshots;
      // the runtime snapshots every N applied entries and prunes the log behind them (§5.1),
      // and streams the newest one to a member behind the pruned log (§5.3), e.g. a new member.
      builder.snapshotPolicy(policy(spec));
    }
    return builder.build().start();
  }

  static SnapshotPolicy policy(RaftNodeSpec spec) {
    SnapshotPolicy d = SnapshotPolicy.defaults();
    return new SnapshotPolicy(spec.snapshotIntervalEntries(), spec.logRetainedEntries(),
        d.chunkBytes(), d.resendMillis());
  }

  /**
   * The Netty transport, announcing this member's Bolt address in every handshake and recording
   * what peers announce: that is how a member added later becomes routable (RaftRoutingTable).
   */
  private static Transport transport(RaftNodeSpec spec, RaftNodeBuilder.Identity identity) {
    NettyTransport transport = new NettyTransport(
        NettyTransportConfig.defaults(spec.listenAddress(), spec.clusterId(), spec.self()));
    transport.identify(identity.incarnation(), identity.peers());
    BoltAddressBook book = spec.boltAddresses();
    if (book != null) {
      String selfBolt = book.selfBolt();
      transport.announce(selfBolt == null ? "" : selfBolt,
          (member, bolt) -> book.learned(member.value(), bolt));
    }
    return new SelfAddressingTransport(transport);
  }

  @Override
  public int priority() {
    return Integer.MAX_VALUE;
  }
}
