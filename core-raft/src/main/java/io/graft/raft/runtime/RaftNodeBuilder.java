package io.graft.raft.runtime;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftListener;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.StateMachine;
import io.graft.raft.protocol.RaftConfig;
import io.graft.raft.storage.ClusterEpoch;
import io.graft.raft.storage.FileMetaStore;
import io.graft.raft.storage.LogStore;
import io.graft.raft.storage.MemberIncarnation;
import io.graft.raft.storage.MetaStore;
import io.graft.raft.storage.segmented.SegmentedLogOptions;
import io.graft.raft.storage.segmented.SegmentedLogStore;
import io.graft.raft.transport.PeerIdentities;
import io.graft.raft.transport.Transport;
import io.graft.raft.transport.netty.NettyTransport;
import io.graft.raft.transport.netty.NettyTransportConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

/**
 * Assembles a {@link RaftNodeRunner} (the composition root, e.g. the Neo4j plugin, calls this):
 *
 * <pre>{@code
 * RaftNode node = RaftNodeRunner.builder().self(me).initialVoters(voters)
 *     .config(RaftConfig.defaults()).tickMillis(100)
 *     .dataDirectory(dir).nettyTransport("10.0.0.1:7000", "cluster-a").peers(addresses)
 *     .stateMachine(sm).randomSeed(seed).build().start();
 * }</pre>
 *
 * or, with explicit parts, {@code .logStore(log).metaStore(meta).transport(transport)} instead of
 * {@code dataDirectory}/{@code nettyTransport}. Peers map every other member to its "host:port".
 *
 * <p>The node owns the stores and the transport from then on and closes them in {@code close()}.
 */
public final class RaftNodeBuilder {
  MemberId self;
  Set<MemberId> initialVoters;
  RaftConfig config = RaftConfig.defaults();
  long tickMillis = 100;
  LogStore logStore;
  MetaStore metaStore;
  Transport transport;
  Map<MemberId, String> peers = Map.of();
  StateMachine stateMachine;
  RaftLogging logging = RaftLogging.slf4j();
  long randomSeed = System.nanoTime();
  int inboxCapacity = 65_536;
  long batchBytesMax = 8L << 20;
  long applyBacklogBytesMax = 256L << 20;
  ConsensusMachine.Factory machineFactory = ConsensusMachine.RAFT;
  boolean logSyncThread = true;
  boolean logSyncInlineWhenIdle =
      !"false".equalsIgnoreCase(System.getProperty("graft.ab.syncInlineWhenIdle", "true"));
  boolean ownerOnTransportLoop =
      !"false".equalsIgnoreCase(System.getProperty("graft.ab.ownerOnLoop", "true"));
  private boolean preallocateLog = true;
  /** The segment preallocation thread's pool when build() made one; the node stops it. */
  ExecutorService preallocation;
  Path snapshotDirectory;
  SnapshotPolicy snapshotPolicy = SnapshotPolicy.defaults();
  final List<RaftListener> listeners = new ArrayList<>();
  PeerIdentities peerIdentities;
  boolean seed;
  ClusterEpoch clusterEpoch;
  private Path dataDirectory;
  private String nettyListenAddress;
  private String nettyClusterId;

  RaftNodeBuilder() {}

  public RaftNodeBuilder self(MemberId self) {
    this.self = self;
    return this;
  }

  public RaftNodeBuilder initialVoters(Set<MemberId> initialVoters) {
    this.initialVoters = Set.copyOf(initialVoters);
    return this;
  }

  public RaftNodeBuilder config(RaftConfig config) {
    this.config = config;
    return this;
  }

  /** Period of the logical clock; every timeout in {@link RaftConfig} counts these ticks. */
  public RaftNodeBuilder tickMillis(long tickMillis) {
    this.tickMillis = tickMillis;
    return this;
  }

  public RaftNodeBuilder logStore(LogStore logStore) {
    this.logStore = logStore;
    return this;
  }

  public RaftNodeBuilder metaStore(MetaStore metaStore) {
    this.metaStore = metaStore;
    return this;
  }

  public RaftNodeBuilder transport(Transport transport) {
    this.transport = transport;
    return this;
  }

  /** Peer addresses ("host:port") handed to {@link Transport#setPeers} at start; may be empty. */
  public RaftNodeBuilder peers(Map<MemberId, String> peers) {
    this.peers = Map.copyOf(peers);
    return this;
  }

  public RaftNodeBuilder stateMachine(StateMachine stateMachine) {
    this.stateMachine = stateMachine;
    return this;
  }

  /**
   * Where this node's log lines go: the node hands it to every part that logs (the protocol, the
   * runtime, the stores and transport {@link #build()} creates). Default: slf4j. Pass the same
   * instance to a store or transport built outside and handed in.
   */
  public RaftNodeBuilder logging(RaftLogging logging) {
    this.logging = Objects.requireNonNull(logging, "logging");
    return this;
  }

  /** Seed of the election jitter (docs/STYLE.md §3.2: injected, replayable). */
  public RaftNodeBuilder randomSeed(long randomSeed) {
    this.randomSeed = randomSeed;
    return this;
  }

  /** Bound of queued inbound messages + proposals; beyond it proposals are rejected. */
  public RaftNodeBuilder inboxCapacity(int inboxCapacity) {
    this.inboxCapacity = inboxCapacity;
    return this;
  }

  /**
   * Whether log fsyncs run on a thread of their own (the default: the owner thread keeps stepping
   * messages and proposals while the disk works, etcd-io/raft's asynchronous storage writes) or on
   * the owner thread itself (false: each Ready waits for its fsync; for comparisons).
   */
  public RaftNodeBuilder logSyncThread(boolean ownThread) {
    this.logSyncThread = ownThread;
    return this;
  }

  /**
   * With {@link #logSyncThread}: whether a write is synced on the owner thread itself when nothing
   * else waits for it and no write is in flight (default: saves two thread hand-offs per write on
   * a lightly loaded node; under load writes go to the sync thread). False: always hand off (for
   * comparisons; {@code -Dgraft.ab.syncInlineWhenIdle=false} in a server).
   */
  public RaftNodeBuilder logSyncInlineWhenIdle(boolean inline) {
    this.logSyncInlineWhenIdle = inline;
    return this;
  }

  /**
   * Whether the owner's batches run as tasks on the transport's event loop ({@link
   * io.graft.raft.transport.Transport#ownerLoop}) instead of on a thread of its own: a message
   * read there is stepped without a thread hand-off and the replies are written by the same
   * thread. Ignored for a transport without one (the owner then has its own thread). Default on:
   * in an interleaved benchmark of real Neo4j servers (benchmarks/NEO4J-RESULTS.md) the leader
   * spent less CPU per write in 14 of 16 same-round pairs (4-20 % less pinned) and each follower
   * 20-40 % less pinned, with higher throughput. {@code -Dgraft.ab.ownerOnLoop=false} gives the
   * owner its own thread again, for side-by-side runs.
   */
  public RaftNodeBuilder ownerOnTransportLoop(boolean onLoop) {
    this.ownerOnTransportLoop = onLoop;
    return this;
  }

  /**
   * Whether the segmented log of {@link #dataDirectory} keeps its next segment preallocated
   * (default: zero-filled and fsynced ahead of time on a background thread, so an fsync writes
   * data, not file-size metadata; costs one spare segment of disk). False: segments grow as
   * written (for comparisons).
   */
  public RaftNodeBuilder preallocateLogSegments(boolean preallocate) {
    this.preallocateLog = preallocate;
    return this;
  }

  /** Registers a listener before start, so it also sees the very first role change. */
  public RaftNodeBuilder listener(RaftListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Entry bytes (proposals + inbound AppendEntries) one owner batch takes before it persists and
   * syncs; the rest waits for the next batch. Bounds the time one fsync holds up heartbeats.
   */
  public RaftNodeBuilder batchBytesMax(long batchBytesMax) {
    this.batchBytesMax = batchBytesMax;
    return this;
  }

  /**
   * Committed bytes waiting for the state machine beyond which the leader rejects new proposals
   * ({@link io.graft.raft.api.ProposalRejectedException}): keeps the apply queue bounded.
   */
  public RaftNodeBuilder applyBacklogBytesMax(long applyBacklogBytesMax) {
    this.applyBacklogBytesMax = applyBacklogBytesMax;
    return this;
  }

  /**
   * Where snapshots live ({@code <index>-<term>/} per snapshot); defaults to {@code
   * dataDirectory/snapshots}. Used only if the state machine offers {@link
   * io.graft.raft.api.StateMachine#snapshots()}.
   */
  public RaftNodeBuilder snapshotDirectory(Path dir) {
    this.snapshotDirectory = Objects.requireNonNull(dir, "dir");
    return this;
  }

  /** When to take snapshots and how much log to keep behind them. */
  public RaftNodeBuilder snapshotPolicy(SnapshotPolicy policy) {
    this.snapshotPolicy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * The peer incarnations the transport checks (see {@link #identity}): the node forgets the
   * record of every member a committed configuration no longer contains, so a removed member can
   * be added back with fresh state. Set it when passing an own transport that was identified.
   */
  public RaftNodeBuilder peerIdentities(PeerIdentities identities) {
    this.peerIdentities = Objects.requireNonNull(identities, "identities");
    return this;
  }

  /** This member's incarnation and its record of peers' incarnations, kept in {@code meta/}. */
  public record Identity(UUID incarnation, PeerIdentities peers) {}

  /**
   * Loads or creates the identity of the Raft state in {@code dataDirectory} (a new one is
   * reported to {@code logging}): call it before
   * {@link #build()} opens the stores (a new term/vote file means a new incarnation), hand both
   * parts to {@code NettyTransport.identify} and the peers to {@link #peerIdentities}. {@link
   * #nettyTransport} does all of this itself.
   */
  public static Identity identity(Path dataDirectory, RaftLogging logging) {
    Path meta = dataDirectory.resolve("meta");
    return new Identity(MemberIncarnation.loadOrCreate(meta, logging), PeerIdentities.open(meta));
  }

  /**
   * True if {@code dataDirectory} holds this member's Raft term/vote state (from an earlier
   * start). A caller whose own state outlives it (e.g. a replicated database) can tell that the
   * Raft state was removed, and refuse to start with a forgotten vote (Raft §5.2).
   */
  public static boolean hasRaftState(Path dataDirectory) {
    return java.nio.file.Files.exists(
        dataDirectory.resolve("meta").resolve(FileMetaStore.FILE_NAME));
  }

  /**
   * Founds a new cluster on the state the state machine already holds (e.g. a database that
   * existed before clustering was enabled): if the Raft stores are empty, the log is made to start
   * right after {@link StateMachine#lastAppliedIndex()} (which must be at least 1), with this
   * member as the only voter, and a snapshot of that state is taken once the node runs. Members
   * added later then always receive the snapshot first, never a log that lacks the state. Needs
   * {@link StateMachine#snapshots()} and {@code initialVoters} = {self}. Ignored when the stores
   * already hold Raft state (a restart after seeding).
   */
  public RaftNodeBuilder seed(boolean seed) {
    this.seed = seed;
    return this;
  }

  /** Test seam: drive another machine implementation. */
  RaftNodeBuilder machineFactory(ConsensusMachine.Factory machineFactory) {
    this.machineFactory = machineFactory;
    return this;
  }

  /**
   * Converts wall-clock timeouts into a configuration counted in ticks of {@code tickMillis}: the
   * single place where milliseconds become ticks.
   */
  public static RaftConfig configFromMillis(
      RaftConfig base, long electionTimeoutMillis, long heartbeatIntervalMillis, long tickMillis) {
    return new RaftConfig(
            Ticker.toTicks(electionTimeoutMillis, tickMillis),
            Ticker.toTicks(heartbeatIntervalMillis, tickMillis),
            base.entriesPerAppendMax(),
            base.appendBytesMax(),
            base.inflightAppendsMax(),
            base.uncommittedBytesMax(),
            base.preVote(),
            base.checkQuorum(),
            base.appendLingerBytes())
        .validate();
  }

  /**
   * Durable stores in {@code dir}: the segmented log in {@code dir/log} and term/vote in {@code
   * dir/meta}. Opened (and recovered) by {@link #build()}.
   */
  public RaftNodeBuilder dataDirectory(Path dir) {
    this.dataDirectory = Objects.requireNonNull(dir, "dir");
    return this;
  }

  /**
   * A Netty transport listening on {@code listenAddress} ("host:port") for cluster {@code
   * clusterId}, with default limits; created by {@link #build()}. Peers come from {@link #peers}.
   */
  public RaftNodeBuilder nettyTransport(String listenAddress, String clusterId) {
    this.nettyListenAddress = Objects.requireNonNull(listenAddress, "listenAddress");
    this.nettyClusterId = Objects.requireNonNull(clusterId, "clusterId");
    return this;
  }

  /** Validates and builds the node (not yet started). */
  public RaftNodeRunner build() {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(config, "config").validate();
    Identity identity = null;
    if (dataDirectory != null && nettyListenAddress != null && transport == null
        && logStore == null && metaStore == null) {
      // Before the meta store is created, see identity().
      identity = identity(dataDirectory, logging);
    }
    if (clusterEpoch == null) {
      // Before the meta store is created: a new term/vote file means new, unbound state.
      clusterEpoch = dataDirectory != null && metaStore == null
          ? ClusterEpoch.open(dataDirectory.resolve("meta")) : ClusterEpoch.inMemory();
    }
    if (dataDirectory != null && logStore == null && metaStore == null) {
      logStore =
          SegmentedLogStore.open(
              dataDirectory.resolve("log"),
              SegmentedLogOptions.DEFAULTS.withLogging(logging),
              preallocateLog ? (preallocation = PreallocationThread.start(self)) : null);
      metaStore = FileMetaStore.open(dataDirectory.resolve("meta"), logging);
    }
    if (dataDirectory != null && snapshotDirectory == null) {
      snapshotDirectory = dataDirectory.resolve("snapshots");
    }
    if (nettyListenAddress != null && transport == null) {
      NettyTransport netty =
          new NettyTransport(
              NettyTransportConfig.defaults(nettyListenAddress, nettyClusterId, self), logging);
      if (identity != null) {
        netty.identify(identity.incarnation(), identity.peers());
        peerIdentities = identity.peers();
      }
      transport = netty;
    }
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(initialVoters, "initialVoters");
    Objects.requireNonNull(logStore, "logStore");
    Objects.requireNonNull(metaStore, "metaStore");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(stateMachine, "stateMachine");
    Objects.requireNonNull(config, "config").validate();
    if (initialVoters.isEmpty()) {
      throw new IllegalArgumentException("initialVoters must not be empty");
    }
    if (tickMillis < 1) {
      throw new IllegalArgumentException("tickMillis must be >= 1, got " + tickMillis);
    }
    if (applyBacklogBytesMax < 1) {
      throw new IllegalArgumentException(
          "applyBacklogBytesMax must be >= 1, got " + applyBacklogBytesMax);
    }
    if (batchBytesMax < 1) {
      throw new IllegalArgumentException("batchBytesMax must be >= 1, got " + batchBytesMax);
    }
    if (inboxCapacity < 1) {
      throw new IllegalArgumentException("inboxCapacity must be >= 1, got " + inboxCapacity);
    }
    if (seed && (!initialVoters.equals(Set.of(self)) || stateMachine.snapshots() == null
        || snapshotDirectory == null)) {
      throw new IllegalArgumentException("seeding needs initialVoters = {" + self + "} (got "
          + initialVoters + ") and a state machine with snapshots and a snapshot directory");
    }
    return new RaftNodeRunner(this);
  }
}
