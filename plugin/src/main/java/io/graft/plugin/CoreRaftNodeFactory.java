package io.graft.plugin;

import io.graft.plugin.routing.BoltAddressBook;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftNodeSetup;
import io.graft.raft.api.StateMachine;
import io.graft.raft.api.boot.RaftNodes;

/**
 * The production path: core-raft's runtime with the segmented log and meta store under {@code
 * <data>/raft/<db>/} and the Netty transport on {@code server.raft.listen_address}, described with
 * core-raft's api ({@link RaftNodeSetup}, started by {@link RaftNodes}). Member ids are advertised
 * Raft addresses, so a peer's id is also where to reach it. core-raft's log lines, refused
 * handshakes included, reach the database's debug log through the logging the spec carries
 * ({@link Neo4jRaftLogSink}).
 */
final class CoreRaftNodeFactory implements RaftNodeFactory {
  /**
   * Bytes of an entry beyond the serialized commands that server.raft.max_entry_size bounds: the
   * TxEntry header (ids, times, the subject's names), well under this.
   */
  static final long ENTRY_ENVELOPE_BYTES = 64 * 1024;

  @Override
  public RaftNode create(RaftNodeSpec spec, StateMachine stateMachine) {
    // A state machine that applied entries (for Neo4j: the store's consensusIndex) with no Raft
    // state next to it: the state was removed and the vote forgotten. Refuse (Raft §5.2), unless
    // this member founds a new cluster on that state (seeding: SeedCheck decided).
    if (!spec.seed()) {
      RaftStateGuard.check(
          spec.raftDirectory(), stateMachine.lastAppliedIndex(), spec.self().value());
    }
    // Store-copy snapshots (GraphStateMachine offers them before this call) in <raft>/snapshots:
    // the runtime snapshots every N applied entries and prunes the log behind them (§5.1), and
    // streams the newest one to a member behind the pruned log (§5.3), e.g. a new member.
    return RaftNodes.start(setup(spec), stateMachine);
  }

  /**
   * The member in core-raft's terms. The largest entry is server.raft.max_entry_size plus the
   * TxEntry envelope: core-raft sizes its proposal limit, the leader's back-pressure bound and the
   * transport's frames for it (the full-size platinum batch, 6 MB, was once refused by core-raft's
   * 4 MiB default although the setting said 16 MiB).
   */
  static RaftNodeSetup setup(RaftNodeSpec spec) {
    RaftNodeSetup setup = RaftNodeSetup.member(spec.self(), spec.raftDirectory())
        .initialVoters(spec.initialMembers())
        .listenAddress(spec.listenAddress())
        .clusterId(spec.clusterId())
        .timeouts(spec.electionTimeout(), spec.heartbeatInterval())
        .maxEntryBytes(spec.maxEntrySize() + ENTRY_ENVELOPE_BYTES)
        .snapshots(spec.snapshotIntervalEntries(), spec.logRetainedEntries())
        .snapshotEveryBytes(spec.snapshotIntervalBytes())
        .snapshotLogRatio(spec.snapshotLogRatio())
        .seed(spec.seed())
        .logging(spec.logging())
        // Mutual TLS from dbms.ssl.policy.cluster (ClusterTls), or plaintext; either way a member
        // that disagrees is refused with a message naming the setting.
        .tls(spec.tls(), ClusterTls.SETTING);
    // This member's Bolt address (and HTTP URL) travels in every handshake, and what peers
    // announce is recorded: that is how a member added later becomes routable (RaftRoutingTable),
    // and how the cluster view finds every member's health endpoints.
    // The replicated database's identity travels too: a joining server takes it before creating
    // its database (JoinerIdentity), and a member announcing another identity is refused (its
    // store cannot match this cluster's log: it must never vote or send entries here).
    BoltAddressBook book = spec.boltAddresses();
    setup.announce(PeerAnnouncement.encode(book == null ? "" : book.announcement(),
        spec.databaseId()), (member, info) -> {
          if (book != null) {
            book.heard(member.value(), info);
          }
        });
    setup.admitAnnouncements((member, info) ->
        PeerAnnouncement.refusal(spec.databaseId(), member.value(), info));
    return setup;
  }

  @Override
  public int priority() {
    return Integer.MAX_VALUE;
  }
}
