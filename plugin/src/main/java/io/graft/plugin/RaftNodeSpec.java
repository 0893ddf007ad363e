package io.graft.plugin;

import io.graft.plugin.routing.BoltAddressBook;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftLogging;
import io.graft.raft.api.TransportTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link RaftNodeFactory} needs to build the Raft member of one database.
 *
 * @param boltAddresses where members accept Bolt: a factory whose transport can carry this
 *     member's Bolt address to its peers (the Netty handshake) announces {@code selfBolt()} and
 *     reports what peers announce through {@code learned(member, address)}
 * @param snapshotIntervalEntries applied entries between two snapshots, when the state machine
 *     offers {@code snapshots()} (server.raft.snapshot_interval_entries)
 * @param snapshotIntervalBytes applied entry bytes between two snapshots, whichever of this and
 *     the entries comes first (server.raft.snapshot_interval_bytes)
 * @param logRetainedEntries log entries kept behind a snapshot (server.raft.log_retained_entries)
 * @param maxEntrySize largest serialized transaction replicated (server.raft.max_entry_size): the
 *     Raft limits, the log and the transport's frames are sized to carry one entry this big
 * @param databaseId the replicated database's identity, announced to peers (null: not announced)
 * @param seed found a new one-member cluster on the database's existing data (see SeedCheck)
 * @param tls mutual TLS for every Raft connection (dbms.ssl.policy.cluster), or null: plaintext
 * @param logging where the member's lines go: the plugin binds it to the database's debug log
 * @param snapshotLogRatio a snapshot waits until the payload applied since the last one is this
 *     many times its size (server.raft.snapshot_log_ratio; 0: the intervals alone decide)
 */
public record RaftNodeSpec(
    String clusterId,
    MemberId self,
    String listenAddress,
    List<MemberId> initialMembers,
    Path raftDirectory,
    Duration electionTimeout,
    Duration heartbeatInterval,
    BoltAddressBook boltAddresses,
    long snapshotIntervalEntries,
    long snapshotIntervalBytes,
    long logRetainedEntries,
    long maxEntrySize,
    java.util.UUID databaseId,
    boolean seed,
    TransportTls tls,
    RaftLogging logging,
    double snapshotLogRatio) {

  public RaftNodeSpec {
    java.util.Objects.requireNonNull(logging, "logging");
  }

  /** Logging to slf4j (until {@link #withLogging}). */
  public RaftNodeSpec(String clusterId, MemberId self, String listenAddress,
      List<MemberId> initialMembers, Path raftDirectory, Duration electionTimeout,
      Duration heartbeatInterval, BoltAddressBook boltAddresses, long snapshotIntervalEntries,
      long snapshotIntervalBytes, long logRetainedEntries, long maxEntrySize,
      java.util.UUID databaseId, boolean seed, TransportTls tls) {
    this(clusterId, self, listenAddress, initialMembers, raftDirectory, electionTimeout,
        heartbeatInterval, boltAddresses, snapshotIntervalEntries, snapshotIntervalBytes,
        logRetainedEntries, maxEntrySize, databaseId, seed, tls, RaftLogging.slf4j(),
        RaftSettings.snapshot_log_ratio.defaultValue());
  }

  /** Plaintext, without identity announcement and without seeding. */
  public RaftNodeSpec(String clusterId, MemberId self, String listenAddress,
      List<MemberId> initialMembers, Path raftDirectory, Duration electionTimeout,
      Duration heartbeatInterval, BoltAddressBook boltAddresses, long snapshotIntervalEntries,
      long snapshotIntervalBytes, long logRetainedEntries, long maxEntrySize) {
    this(clusterId, self, listenAddress, initialMembers, raftDirectory, electionTimeout,
        heartbeatInterval, boltAddresses, snapshotIntervalEntries, snapshotIntervalBytes,
        logRetainedEntries, maxEntrySize, null, false, null);
  }

  public RaftNodeSpec withTls(TransportTls value) {
    return new RaftNodeSpec(clusterId, self, listenAddress, initialMembers, raftDirectory,
        electionTimeout, heartbeatInterval, boltAddresses, snapshotIntervalEntries,
        snapshotIntervalBytes, logRetainedEntries, maxEntrySize, databaseId, seed, value,
        logging, snapshotLogRatio);
  }

  public RaftNodeSpec withLogging(RaftLogging value) {
    return new RaftNodeSpec(clusterId, self, listenAddress, initialMembers, raftDirectory,
        electionTimeout, heartbeatInterval, boltAddresses, snapshotIntervalEntries,
        snapshotIntervalBytes, logRetainedEntries, maxEntrySize, databaseId, seed, tls, value,
        snapshotLogRatio);
  }

  public RaftNodeSpec withSnapshotLogRatio(double value) {
    return new RaftNodeSpec(clusterId, self, listenAddress, initialMembers, raftDirectory,
        electionTimeout, heartbeatInterval, boltAddresses, snapshotIntervalEntries,
        snapshotIntervalBytes, logRetainedEntries, maxEntrySize, databaseId, seed, tls, logging,
        value);
  }
}
