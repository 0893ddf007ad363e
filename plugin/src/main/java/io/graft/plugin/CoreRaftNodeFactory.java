package io.graft.plugin;

import io.graft.plugin.routing.BoltAddressBook;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.StateMachine;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.runtime.RaftNodeBuilder;
import io.graft.raft.runtime.RaftNodeRunner;
import io.graft.raft.runtime.SnapshotPolicy;
import io.graft.raft.transport.SelfAddressingTransport;
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
  /**
   * Bytes of an entry beyond the serialized commands that server.raft.max_entry_size bounds: the
   * TxEntry header (ids, times, the subject's names), well under this.
   */
  static final long ENTRY_ENVELOPE_BYTES = 64 * 1024;

  @Override
  public RaftNode create(RaftNodeSpec spec, StateMachine stateMachine) {
    Set<MemberId> voters = new LinkedHashSet<>(spec.initialMembers());
    Map<MemberId, String> peers = new HashMap<>();
    for (MemberId m : voters) {
      if (!m.equals(spec.self())) {
        peers.put(m, m.value());
      }
    }
    long tickMillis = tickMillis(spec);
    RaftConfig config = raftConfig(spec);
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

  private static long tickMillis(RaftNodeSpec spec) {
    return Math.max(1, Math.min(50, spec.heartbeatInterval().toMillis() / 2));
  }

  /**
   * The Raft limits that follow server.raft.max_entry_size. The runtime refuses a proposal larger
   * than appendBytesMax, and the leader one that would take the uncommitted tail past
   * uncommittedBytesMax, so both must admit one entry of the setting's size plus its envelope (the
   * TxEntry header around the commands); core-raft's 4 MiB and 256 MiB defaults stay the floor.
   * The full-size platinum batch (6 MB) was once refused by the 4 MiB default although the
   * setting said 16 MiB.
   */
  static RaftConfig raftConfig(RaftNodeSpec spec) {
    RaftConfig timed = RaftNodeBuilder.configFromMillis(RaftConfig.defaults(),
        spec.electionTimeout().toMillis(), spec.heartbeatInterval().toMillis(), tickMillis(spec));
    long entryMax = spec.maxEntrySize() + ENTRY_ENVELOPE_BYTES;
    return new RaftConfig(timed.electionTimeoutTicks(), timed.heartbeatIntervalTicks(),
        timed.entriesPerAppendMax(), Math.max(timed.appendBytesMax(), entryMax),
        timed.inflightAppendsMax(), Math.max(timed.uncommittedBytesMax(), entryMax),
        timed.preVote(), timed.checkQuorum()).validate();
  }

  /**
   * The transport's frames carry one AppendEntries of appendBytesMax entry bytes (at least one
   * entry is always sent, so a single entry of max_entry_size must fit in one frame).
   */
  static NettyTransportConfig transportConfig(RaftNodeSpec spec) {
    return NettyTransportConfig.defaults(spec.listenAddress(), spec.clusterId(), spec.self())
        .withMaxFrameBytes(NettyTransportConfig.frameBytesFor(raftConfig(spec).appendBytesMax()))
        .validate();
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
    NettyTransport transport = new NettyTransport(transportConfig(spec));
    transport.identify(identity.incarnation(), identity.peers());
    // Mutual TLS from dbms.ssl.policy.cluster (ClusterTls), or plaintext; either way a member that
    // disagrees is refused with a message naming the setting.
    transport.useTls(spec.tls(), ClusterTls.SETTING);
    // Neo4j's server passes on only its own loggers' slf4j lines, so core-raft's WARNs are lost
    // there; java.util.logging warnings do reach the server's log. A refused handshake (e.g. a
    // member whose Raft state was reset, with the way out) must be seen by the operator.
    java.util.logging.Logger jul =
        java.util.logging.Logger.getLogger(NettyTransport.class.getName());
    transport.onRefusal(line -> jul.warning("graft: " + line));
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
