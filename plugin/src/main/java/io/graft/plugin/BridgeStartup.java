package io.graft.plugin;

import io.graft.bridge.apply.DatabaseSlot;
import io.graft.bridge.apply.GraphStateMachine;
import io.graft.bridge.apply.LeaseFencing;
import io.graft.bridge.apply.LeaseKeeper;
import io.graft.bridge.apply.LeaseState;
import io.graft.bridge.apply.UsersState;
import io.graft.bridge.capture.LeaderWriteGuard;
import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.capture.RaftTransactionCommitProcess;
import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.snapshot.BackupManifest;
import io.graft.bridge.snapshot.StoreCopySnapshots;
import io.graft.plugin.http.RaftEventLog;
import io.graft.plugin.routing.BoltAddressBook;
import io.graft.plugin.users.ReplicatedUsers;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.boot.RaftNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.kernel.database.Database;
import org.neo4j.logging.InternalLog;

/**
 * Builds a {@link DatabaseBridge} at a database's start, in the order that keeps every write
 * either local-before-Raft (a new store's initialisation) or through Raft: decides whether this
 * member seeds the cluster from its store ({@link SeedCheck}), builds the state machine, installs
 * the write guard before the Raft member exists, starts the member, records which store its Raft
 * state belongs to ({@link StoreBase}), and wires the lease keeper, the replicated commit process,
 * user replication and the stop report.
 */
final class BridgeStartup {
  /**
   * JVM system properties for side-by-side benchmark runs only (benchmarks/NEO4J-RESULTS.md),
   * never needed in production: write store-copy snapshots on the apply thread as before, and
   * have the leader read its own entry back like a follower.
   */
  static final String AB_SNAPSHOTS_ON_APPLY_THREAD = "graft.ab.snapshotsOnApplyThread";
  static final String AB_NO_LEADER_FAST_PATH = "graft.ab.noLeaderFastPath";

  private BridgeStartup() {}

  /**
   * @param restarting set while a snapshot install restarts the database: the extension's
   *     stop/start then detach from and re-attach to this bridge instead of closing it
   */
  static DatabaseBridge start(
      RaftPluginConfig config,
      BoltAddressBook bolt,
      Database database,
      RaftNodeFactory factory,
      InternalLog log,
      InternalLog userLog,
      AtomicBoolean restarting)
      throws Exception {
    InternalsAccess.verify();
    Neo4jBinding b = Neo4jBinding.resolve(database, log, config.neo4jLogForce());
    WriteGate gate = new WriteGate();
    ProposalWaiters waiters = new ProposalWaiters();
    String dbName = database.getNamedDatabaseId().name();
    UUID databaseId = database.getNamedDatabaseId().databaseId().uuid();
    LeaseState leaseState = LeaseState.open(config.raftDirectory());
    boolean hasRaftState = RaftNodes.hasRaftState(config.raftDirectory());
    Optional<BackupManifest> backup = BackupManifest.readFrom(config.dataDirectory());
    SeedCheck.Decision decision = SeedCheck.decide(config,
        new SeedCheck.Store(databaseId, b.lastCommittedTxId().getAsLong(),
            b.lastConsensusIndex().getAsLong(), leaseState.current().raftIndex()),
        hasRaftState, StoreBase.read(config.raftDirectory()), backup);
    boolean seed = decision.outcome() == SeedCheck.Outcome.SEED;
    if (seed) {
      log.info("graft: database '%s': %s", dbName, decision.description());
      if (leaseState.current().raftIndex() < decision.seedIndex()
          && b.lastConsensusIndex().getAsLong() < decision.seedIndex()) {
        // The seeded state is the log's base at this index (its snapshot is taken at start).
        leaseState.write(0, null, decision.seedIndex());
      }
    }
    DatabaseSlot slot = new DatabaseSlot(b.handle());
    LeaseFencing fencing = new LeaseFencing(config.self(), leaseState, gate);
    UsersState users = UsersState.open(config.raftDirectory());
    // The snapshot support exists before the Raft member: its runtime may ask
    // StateMachine.snapshots() when built.
    GraphStateMachine machine = new GraphStateMachine(config.self(), fencing, slot, waiters,
        state -> new StoreCopySnapshots(state, new Neo4jStoreAccess(database, restarting),
            log::info, !Boolean.getBoolean(AB_SNAPSHOTS_ON_APPLY_THREAD)), users);
    boolean created = createsStore(database);
    if (created) {
      // Neo4j commits the new store's token lookup indexes right after this start(), before any
      // leader can exist: those transactions stay local (LocalBootstrapCommitProcess).
      slot.expectLocalBootstrap();
      gate.beginBootstrap(() -> {
        slot.localBootstrapDone();
        recordStoreBase(config, databaseId, b.lastCommittedTxId().getAsLong(), log);
        log.info("graft: store initialisation of '%s' committed locally (last tx %d); from now"
            + " on only Raft writes", dbName, b.lastCommittedTxId().getAsLong());
      });
      log.info("graft: database '%s' is new: its store-initialisation transactions commit"
          + " locally, then only Raft writes", dbName);
    }
    LeaderWriteGuard guard = new LeaderWriteGuard(gate, dbName);
    // Guard first: from here on no local write can start, only Raft applies.
    InternalsAccess.install(b.kernelTransactions(), b.original(), guard, guard);
    RaftNode raft = factory.create(spec(config, bolt, databaseId, seed), machine);
    if (!created && (seed || !hasRaftState
        || StoreBase.read(config.raftDirectory()).isEmpty())) {
      recordStoreBase(config, databaseId, b.lastCommittedTxId().getAsLong(), log);
    }
    if (backup.isPresent() && (seed || hasRaftState)) {
      consumeBackupManifest(config, log);
    }
    // The cluster view's timeline: role, term and leader changes with the time they were seen.
    RaftEventLog events = new RaftEventLog();
    events.onRoleChange(raft.status());
    raft.addListener(events);
    LeaseKeeper keeper = new LeaseKeeper(config.self(), raft, machine, gate, log::warn);
    raft.addListener(keeper);
    RaftTransactionCommitProcess replicated =
        new RaftTransactionCommitProcess(
            raft, gate, waiters, config.self(), dbName, config.maxEntrySize(),
            config.commitTimeout(),
            () -> keeper.renewLease("a transaction's outcome is unknown"), log,
            !Boolean.getBoolean(AB_NO_LEADER_FAST_PATH));
    // Users the same on every member: the system database follows the cluster's user table.
    ReplicatedUsers replicatedUsers = ReplicatedUsers.start(config.self(), raft, users,
        database.getDependencyResolver().resolveDependency(DatabaseManagementService.class)
            .database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME),
        config.commitTimeout(), bolt::boltAddressOf, log);
    DatabaseBridge bridge = new DatabaseBridge(
        config, bolt, raft, machine, slot, waiters, gate, guard, replicated, replicatedUsers,
        log, events, database);
    guard.setWriteAdvice(() -> WriteAdvice.of(bridge.status(), bridge.stoppedBecause()));
    // Notified (with a status naming no leader) when the member stops after a fatal error.
    FatalStopReport stopReport = new FatalStopReport(raft, config, machine, slot, log, userLog);
    raft.addListener(status -> stopReport.reportIfStopped());
    bridge.attach(b);
    // What a restart re-applies: the Raft log's entries after what Neo4j recovered (its log is
    // forced only at checkpoints, lease changes and snapshots; server.raft.neo4j_log_force).
    log.info("graft: database '%s' replicated through Raft as member %s of %s (applied index %d:"
            + " Neo4j recovered consensusIndex %d, lease file index %d; Raft log up to %d;"
            + " Neo4j log forced %s)", dbName, config.self(), config.initialMembers(),
        machine.lastAppliedIndex(), b.lastConsensusIndex().getAsLong(),
        machine.currentLease().raftIndex(), raft.status().lastLogIndex(), config.neo4jLogForce());
    return bridge;
  }

  /** True iff this start created the store and Neo4j will commit its store-init transactions. */
  private static boolean createsStore(Database database) {
    return !InternalsAccess.storageExisted(database)
        && !database.getDependencyResolver().resolveDependency(Config.class)
            .get(GraphDatabaseInternalSettings.skip_default_indexes_on_creation);
  }

  /**
   * The store this member's Raft state belongs to ({@link StoreBase}): at its first start, and
   * after a snapshot install replaced the store. A failure to write it is logged, not fatal.
   */
  static void recordStoreBase(RaftPluginConfig config, UUID databaseId, long lastTxId,
      InternalLog log) {
    try {
      new StoreBase(databaseId, lastTxId).write(config.raftDirectory());
    } catch (java.io.IOException e) {
      log.warn("graft: cannot record the store base in %s: %s", config.raftDirectory(), e);
    }
  }

  /**
   * The data/ folder was a graft backup and now holds a member's Raft state: its manifest is
   * renamed, so that a later loss of the Raft state is refused rather than seeding again.
   */
  private static void consumeBackupManifest(RaftPluginConfig config, InternalLog log) {
    java.nio.file.Path manifest = config.dataDirectory().resolve(BackupManifest.FILE_NAME);
    java.nio.file.Path done = config.dataDirectory().resolve(
        BackupManifest.FILE_NAME + ".seeded-" + System.currentTimeMillis());
    try {
      java.nio.file.Files.move(manifest, done);
      log.info("graft: %s was the manifest of the backup this member seeded from; renamed to %s",
          manifest, done.getFileName());
    } catch (java.io.IOException e) {
      log.warn("graft: cannot rename the backup manifest %s: %s", manifest, e);
    }
  }

  private static RaftNodeSpec spec(RaftPluginConfig c, BoltAddressBook bolt, UUID databaseId,
      boolean seed) {
    List<MemberId> members = new ArrayList<>();
    c.initialMembers().forEach(m -> members.add(MemberId.of(m)));
    return new RaftNodeSpec(
        c.clusterId(), MemberId.of(c.self()), c.listenAddress(), List.copyOf(members),
        c.raftDirectory(), c.electionTimeout(), c.heartbeatInterval(), bolt,
        c.snapshotIntervalEntries(), c.snapshotIntervalBytes(), c.logRetainedEntries(),
        c.maxEntrySize(), databaseId, seed, null).withSnapshotLogRatio(c.snapshotLogRatio());
  }
}
