package io.graft.raft.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A production Raft member, described in the application's terms and started in one call to
 * {@code api.boot.RaftNodes.start}: the segmented log and the term/vote file under {@code
 * dataDirectory}, the Netty transport on {@code listenAddress}, timeouts in milliseconds, and every
 * limit that must carry one entry of {@link #maxEntryBytes}. What modules that import only the api
 * (the Neo4j plugin) describe a member with; the parts behind it ({@code runtime.RaftNodeBuilder},
 * the protocol's {@code RaftConfig}, the transport) stay core-raft's own, and this class depends on
 * none of them.
 *
 * <p>Members are reached at their ids, which must be their advertised {@link RaftAddress}es: the
 * initial voters are dialled at their ids, and a member added later is dialled at its id the first
 * time a message goes to it. Not thread-safe; start a setup once.
 */
public final class RaftNodeSetup {
  private final MemberId self;
  private final Path dataDirectory;
  private final Set<MemberId> initialVoters = new LinkedHashSet<>();
  private String listenAddress;
  private String clusterId;
  private Duration electionTimeout = Duration.ofSeconds(1);
  private Duration heartbeatInterval = Duration.ofMillis(100);
  private long maxEntryBytes;
  private long snapshotEveryEntries = -1;
  private long snapshotRetainEntries = -1;
  private long snapshotEveryBytes = -1;
  private double snapshotLogRatio = -1;
  private String announcement = "";
  private BiConsumer<MemberId, String> onAnnouncement;
  private Consumer<String> onRefusal = line -> {};
  private boolean seed;
  private BiFunction<MemberId, String, String> admission;
  private TransportTls tls;
  private String tlsSetting = "TLS";
  private RaftLogging logging = RaftLogging.slf4j();

  private RaftNodeSetup(MemberId self, Path dataDirectory) {
    this.self = Objects.requireNonNull(self, "self");
    this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
  }

  /** A member {@code self} whose Raft state lives in {@code dataDirectory}. */
  public static RaftNodeSetup member(MemberId self, Path dataDirectory) {
    return new RaftNodeSetup(self, dataDirectory);
  }

  /**
   * The founding voters. A member not among them is a joining member: it starts with no
   * configuration, never campaigns, and waits to be added ({@link RaftNode#addMember}).
   */
  public RaftNodeSetup initialVoters(Collection<MemberId> voters) {
    initialVoters.clear();
    initialVoters.addAll(voters);
    return this;
  }

  /** host:port the transport binds ({@link RaftAddress#parseListen}). */
  public RaftNodeSetup listenAddress(String address) {
    this.listenAddress = RaftAddress.parseListen(address).toString();
    return this;
  }

  /** Checked by the transport handshake: members of another cluster are refused. */
  public RaftNodeSetup clusterId(String clusterId) {
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    return this;
  }

  /** Election timeout (randomized in [t, 2t)) and heartbeat interval; the tick follows them. */
  public RaftNodeSetup timeouts(Duration electionTimeout, Duration heartbeatInterval) {
    this.electionTimeout = Objects.requireNonNull(electionTimeout, "electionTimeout");
    this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    return this;
  }

  /**
   * The largest entry a proposal may carry, in bytes: the runtime's proposal limit, the leader's
   * uncommitted-bytes bound and the transport's frame limit all admit one entry this big
   * (core-raft's defaults stay the floor). 0 keeps the defaults.
   */
  public RaftNodeSetup maxEntryBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("maxEntryBytes must be >= 0: " + bytes);
    }
    this.maxEntryBytes = bytes;
    return this;
  }

  /**
   * Snapshots (used only if the state machine offers {@link StateMachine#snapshots()}): one every
   * {@code everyEntries} applied entries, keeping {@code retainEntries} log entries behind it; a
   * member further behind is sent the snapshot (thesis §5). Without this call: core-raft's
   * defaults.
   */
  public RaftNodeSetup snapshots(long everyEntries, long retainEntries) {
    this.snapshotEveryEntries = everyEntries;
    this.snapshotRetainEntries = retainEntries;
    return this;
  }

  /**
   * A snapshot also once {@code everyBytes} bytes of entry payload were applied since the last
   * one, whichever of entries and bytes comes first. Without this call: core-raft's default.
   */
  public RaftNodeSetup snapshotEveryBytes(long everyBytes) {
    this.snapshotEveryBytes = everyBytes;
    return this;
  }

  /**
   * A snapshot also waits until the entry payload applied since the last one is at least {@code
   * ratio} times that snapshot's size (thesis §5.1.3): for a state machine whose snapshot copies
   * a state that keeps growing. 0: no such wait. Without this call: core-raft's default (0).
   */
  public RaftNodeSetup snapshotLogRatio(double ratio) {
    this.snapshotLogRatio = ratio;
    return this;
  }

  /**
   * What this member says about itself in every transport handshake (an opaque string, e.g. a
   * Bolt address), and where what peers say about themselves goes (called on transport threads).
   */
  public RaftNodeSetup announce(String self, BiConsumer<MemberId, String> onPeerAnnouncement) {
    this.announcement = self == null ? "" : self;
    this.onAnnouncement = Objects.requireNonNull(onPeerAnnouncement, "onPeerAnnouncement");
    return this;
  }

  /** Receives one line per refused connection (wrong cluster, reset member), with the way out. */
  public RaftNodeSetup onRefusal(Consumer<String> sink) {
    this.onRefusal = Objects.requireNonNull(sink, "sink");
    return this;
  }

  /**
   * Founds a new one-member cluster on the state the state machine already holds (e.g. a
   * database that existed before clustering): on empty Raft stores the log starts after {@link
   * StateMachine#lastAppliedIndex()} (at least 1) and a snapshot of that state is taken once the
   * node runs, so every member added later receives the state first. Needs {@code initialVoters}
   * = {self} and snapshot support; ignored when Raft state exists (a restart after seeding).
   */
  public RaftNodeSetup seed(boolean seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Refuses a peer, in both handshake directions, whose announcement {@code admission} rejects
   * (it returns the reason, worded for the operator; null admits), e.g. a member replicating a
   * database of another identity.
   */
  public RaftNodeSetup admitAnnouncements(BiFunction<MemberId, String, String> admission) {
    this.admission = Objects.requireNonNull(admission, "admission");
    return this;
  }

  /**
   * Mutual TLS on every Raft connection ({@code tls} non-null), or plaintext (null, the default);
   * {@code setting} names how an operator turns TLS on, for the refusals a TLS member and a
   * plaintext member exchange.
   */
  public RaftNodeSetup tls(TransportTls tls, String setting) {
    this.tls = tls;
    this.tlsSetting = Objects.requireNonNull(setting, "setting");
    return this;
  }

  /**
   * Where this member's log lines go (default: slf4j). Each member gets its own: a host running
   * several members in one JVM hands each one a logging bound to that member's log.
   */
  public RaftNodeSetup logging(RaftLogging logging) {
    this.logging = Objects.requireNonNull(logging, "logging");
    return this;
  }

  public MemberId self() {
    return self;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public Set<MemberId> initialVoters() {
    return Set.copyOf(initialVoters);
  }

  public String listenAddress() {
    return listenAddress;
  }

  public String clusterId() {
    return clusterId;
  }

  public Duration electionTimeout() {
    return electionTimeout;
  }

  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  public long maxEntryBytes() {
    return maxEntryBytes;
  }

  /** Applied entries between snapshots, or -1 for core-raft's default. */
  public long snapshotEveryEntries() {
    return snapshotEveryEntries;
  }

  /** Log entries kept behind a snapshot, or -1 for core-raft's default. */
  public long snapshotRetainEntries() {
    return snapshotRetainEntries;
  }

  /** Applied payload bytes between snapshots, or -1 for core-raft's default. */
  public long snapshotEveryBytes() {
    return snapshotEveryBytes;
  }

  /** See {@link #snapshotLogRatio(double)}; -1 for core-raft's default. */
  public double snapshotLogRatio() {
    return snapshotLogRatio;
  }

  public String announcement() {
    return announcement;
  }

  /** Where peers' announcements go, or null if nobody listens. */
  public BiConsumer<MemberId, String> onAnnouncement() {
    return onAnnouncement;
  }

  public Consumer<String> onRefusal() {
    return onRefusal;
  }

  public boolean seed() {
    return seed;
  }

  /** The announcement check, or null if every announcement is admitted. */
  public BiFunction<MemberId, String, String> admission() {
    return admission;
  }

  /** Mutual TLS for the transport, or null: plaintext. */
  public TransportTls tls() {
    return tls;
  }

  public String tlsSetting() {
    return tlsSetting;
  }

  public RaftLogging logging() {
    return logging;
  }
}
