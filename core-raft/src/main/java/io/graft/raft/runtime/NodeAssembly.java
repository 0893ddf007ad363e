package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftNodeSetup;
import io.graft.raft.api.StateMachine;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.transport.SelfAddressingTransport;
import io.graft.raft.transport.Transport;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.PeerProbe;
import io.graft.raft.transport.netty.NettyTransportConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns an api {@link RaftNodeSetup} into a running {@link RaftNodeRunner}: the segmented log and
 * meta store under the data directory, the member's incarnation loaded or created before the
 * term/vote file is opened (a new one means a new incarnation, which peers that knew this address
 * refuse, Raft §5.2), the Netty transport sized for the largest entry, members reached at their
 * ids, and the snapshot policy.
 */
public final class NodeAssembly {
  private NodeAssembly() {}

  /** See {@code api.boot.RaftNodes#start}: the setup is complete (checked there). */
  public static RaftNode start(RaftNodeSetup setup, StateMachine stateMachine) {
    Set<MemberId> voters = setup.initialVoters();
    Map<MemberId, String> peers = new HashMap<>();
    for (MemberId m : voters) {
      if (!m.equals(setup.self())) {
        peers.put(m, m.value());
      }
    }
    RaftNodeBuilder.Identity identity = RaftNodeBuilder.identity(setup.dataDirectory(),
        setup.logging());
    RaftNodeBuilder builder = RaftNodeRunner.builder()
        .self(setup.self())
        .initialVoters(voters)
        .config(raftConfig(setup))
        .tickMillis(tickMillis(setup))
        .dataDirectory(setup.dataDirectory())
        .transport(transport(setup, identity))
        .peerIdentities(identity.peers())
        .peers(peers)
        .stateMachine(stateMachine)
        .seed(setup.seed())
        .logging(setup.logging());
    if (stateMachine.snapshots() != null) {
      builder.snapshotPolicy(snapshotPolicy(setup));
    }
    return builder.build().start();
  }

  /** See {@code api.boot.RaftNodes#probe}. */
  public static String probe(String address, String clusterId, MemberId asker,
      java.time.Duration timeout, io.graft.raft.api.TransportTls tls)
      throws java.io.IOException {
    return PeerProbe.ask(address, clusterId, asker, (int) Math.min(Integer.MAX_VALUE,
        timeout.toMillis()), tls).info();
  }

  /** See {@code api.boot.RaftNodes#hasRaftState}. */
  public static boolean hasRaftState(Path dataDirectory) {
    return RaftNodeBuilder.hasRaftState(dataDirectory);
  }

  /** The logical clock's period: at most 50 ms, and at least two ticks per heartbeat. */
  public static long tickMillis(RaftNodeSetup setup) {
    return Math.max(1, Math.min(50, setup.heartbeatInterval().toMillis() / 2));
  }

  /**
   * The timeouts in ticks, and the limits that must admit one entry of {@code maxEntryBytes}: the
   * runtime refuses a proposal larger than appendBytesMax, and the leader one that would take the
   * uncommitted tail past uncommittedBytesMax; core-raft's defaults stay the floor.
   */
  public static RaftConfig raftConfig(RaftNodeSetup setup) {
    long tick = tickMillis(setup);
    RaftConfig timed = RaftNodeBuilder.configFromMillis(RaftConfig.defaults(),
        setup.electionTimeout().toMillis(), setup.heartbeatInterval().toMillis(), tick);
    long entryMax = setup.maxEntryBytes();
    return new RaftConfig(timed.electionTimeoutTicks(), timed.heartbeatIntervalTicks(),
        timed.entriesPerAppendMax(), Math.max(timed.appendBytesMax(), entryMax),
        timed.inflightAppendsMax(), Math.max(timed.uncommittedBytesMax(), entryMax),
        timed.preVote(), timed.checkQuorum()).validate();
  }

  /**
   * The transport's frames carry one AppendEntries of appendBytesMax entry bytes (at least one
   * entry is always sent, so a single entry of the largest size must fit in one frame).
   */
  public static NettyTransportConfig transportConfig(RaftNodeSetup setup) {
    return NettyTransportConfig.defaults(setup.listenAddress(), setup.clusterId(), setup.self())
        .withMaxFrameBytes(NettyTransportConfig.frameBytesFor(raftConfig(setup).appendBytesMax()))
        .validate();
  }

  public static SnapshotPolicy snapshotPolicy(RaftNodeSetup setup) {
    SnapshotPolicy d = SnapshotPolicy.defaults();
    long every = setup.snapshotEveryEntries() < 0
        ? d.snapshotEveryEntries() : setup.snapshotEveryEntries();
    long retain = setup.snapshotRetainEntries() < 0
        ? d.retainEntries() : setup.snapshotRetainEntries();
    long everyBytes = setup.snapshotEveryBytes() < 0
        ? d.snapshotEveryBytes() : setup.snapshotEveryBytes();
    double ratio = setup.snapshotLogRatio() < 0
        ? d.logToSnapshotRatio() : setup.snapshotLogRatio();
    return new SnapshotPolicy(every, retain, d.chunkBytes(), d.resendMillis(), everyBytes, ratio);
  }

  /**
   * The Netty transport, identified (incarnation in both handshake directions), announcing what
   * the setup says and passing on what peers announce; members not configured (added later, or a
   * leader this member never knew) are reached at their ids ({@link SelfAddressingTransport}).
   */
  private static Transport transport(RaftNodeSetup setup, RaftNodeBuilder.Identity identity) {
    NettyTransport transport = new NettyTransport(transportConfig(setup), setup.logging());
    transport.identify(identity.incarnation(), identity.peers());
    transport.onRefusal(setup.onRefusal());
    transport.useTls(setup.tls(), setup.tlsSetting());
    if (setup.onAnnouncement() != null) {
      transport.announce(setup.announcement(), setup.onAnnouncement());
    }
    if (setup.admission() != null) {
      transport.admitAnnouncements(setup.admission());
    }
    return new SelfAddressingTransport(transport);
  }
}
