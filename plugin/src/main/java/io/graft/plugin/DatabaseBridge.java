package io.graft.plugin;

import io.graft.bridge.apply.DatabaseSlot;
import io.graft.bridge.apply.GraphStateMachine;
import io.graft.bridge.apply.LeaseFencing;
import io.graft.bridge.apply.LeaseKeeper;
import io.graft.bridge.apply.LeaseState;
import io.graft.bridge.apply.UsersState;
import io.graft.bridge.capture.LeaderWriteGuard;
import io.graft.bridge.capture.LocalBootstrapCommitProcess;
import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.capture.RaftTransactionCommitProcess;
import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.capture.WriteStages;
import io.graft.bridge.snapshot.BackupManifest;
import io.graft.bridge.snapshot.StoreCopySnapshots;
import io.graft.plugin.http.MemberState;
import io.graft.plugin.http.RaftEventLog;
import io.graft.plugin.routing.BoltAddressBook;
import io.graft.plugin.users.ReplicatedUsers;
import io.graft.plugin.routing.RaftRoutingTable;
import io.graft.procedures.BackupRow;
import io.graft.procedures.MemberRow;
import io.graft.procedures.RaftAdmin;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.boot.RaftNodes;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.Role;
import io.graft.raft.api.metrics.HistogramSnapshot;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.api.metrics.RaftMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.dbms.database.DatabaseContext;
import org.neo4j.dbms.database.DatabaseContextProvider;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.database.NamedDatabaseId;
import org.neo4j.kernel.impl.api.KernelTransactions;
import org.neo4j.logging.InternalLog;

/**
 * graft running for one started database: the state machine, the Raft member, the swapped commit
 * process and write guard, and the admin view the procedures read. Built on every database start
 * (a restart builds a new {@link KernelTransactions}) and closed on stop, except around a
 * snapshot install, which restarts the database under the same Raft member ({@link #detach},
 * {@link #reattach}).
 */
final class DatabaseBridge implements RaftAdmin, AutoCloseable {
  /**
   * JVM system properties for side-by-side benchmark runs only (benchmarks/NEO4J-RESULTS.md),
   * never needed in production: write store-copy snapshots on the apply thread as before, and
   * have the leader read its own entry back like a follower.
   */
  static final String AB_SNAPSHOTS_ON_APPLY_THREAD = "graft.ab.snapshotsOnApplyThread";
  static final String AB_NO_LEADER_FAST_PATH = "graft.ab.noLeaderFastPath";

  private final RaftPluginConfig config;
  private final RaftNode raft;
  private final GraphStateMachine machine;
  private final DatabaseSlot slot;
  private final ProposalWaiters waiters;
  private final BoltAddressBook bolt;
  private final WriteGate gate;
  private final LeaderWriteGuard guard;
  private final RaftTransactionCommitProcess replicated;
  private final ReplicatedUsers users;
  private final InternalLog log;
  /** neo4j.log: what an operator reads first (a stopped member is reported there too). */
  private final InternalLog userLog;
  private final RaftEventLog events;
  private final Database database;
  private final AtomicBoolean stopReported = new AtomicBoolean();
  private volatile Neo4jBinding binding;

  private DatabaseBridge(
      RaftPluginConfig config,
      BoltAddressBook bolt,
      RaftNode raft,
      GraphStateMachine machine,
      DatabaseSlot slot,
      ProposalWaiters waiters,
      WriteGate gate,
      LeaderWriteGuard guard,
      RaftTransactionCommitProcess replicated,
      ReplicatedUsers users,
      InternalLog log,
      InternalLog userLog,
      RaftEventLog events,
      Database database) {
    this.users = users;
    this.config = config;
    this.userLog = userLog;
    this.database = database;
    this.bolt = bolt;
    this.raft = raft;
    this.machine = machine;
    this.slot = slot;
    this.waiters = waiters;
    this.gate = gate;
    this.guard = guard;
    this.replicated = replicated;
    this.log = log;
    this.events = events;
  }

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
        log, userLog, events, database);
    guard.setWriteAdvice(() -> WriteAdvice.of(bridge.status(), bridge.stoppedBecause()));
    // Notified (with a status naming no leader) when the member stops after a fatal error.
    raft.addListener(status -> bridge.reportIfStopped());
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

  /** Commit process and availability of one database start. */
  private synchronized void attach(Neo4jBinding b) {
    InternalsAccess.install(
        b.kernelTransactions(), new LocalBootstrapCommitProcess(b.original(), replicated, gate),
        guard, guard);
    b.listenTo(slot);
    binding = b;
  }

  /** The database stops for a snapshot install: the Raft member and state machine stay. */
  synchronized void detach() {
    if (binding != null) {
      binding.stopListening(slot);
      binding = null;
    }
  }

  /** The database started again after a snapshot install: bind to its new services. */
  synchronized void reattach(Database database) {
    Neo4jBinding b = Neo4jBinding.resolve(database, log, config.neo4jLogForce());
    slot.rebind(b.handle());
    InternalsAccess.install(b.kernelTransactions(), b.original(), guard, guard);
    attach(b);
    // A snapshot install replaced the store: the Raft state now belongs to this one.
    recordStoreBase(config, database.getNamedDatabaseId().databaseId().uuid(),
        b.lastCommittedTxId().getAsLong(), log);
    log.info("graft: database '%s' re-attached after a restart (tx %d)",
        database.getNamedDatabaseId().name(), b.lastCommittedTxId().getAsLong());
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
  private static void recordStoreBase(RaftPluginConfig config, UUID databaseId, long lastTxId,
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
        c.maxEntrySize(), databaseId, seed, null);
  }

  /** The replication of users through this database's Raft log. */
  ReplicatedUsers users() {
    return users;
  }

  @Override
  public void close() {
    users.close();
    detach();
    slot.close();
    try {
      raft.close();
    } finally {
      waiters.failAll(new RaftShutdownException("graft: the replicated database is stopping"));
    }
  }

  /**
   * What the health endpoints, status document and metrics read: one consistent-enough moment of
   * this member (each part is read once; they may be microseconds apart).
   */
  MemberState memberState() {
    StatusRow row = status();
    List<MemberRow> rows = members();
    Neo4jBinding b = binding;
    Throwable panic = b == null ? null : b.panicCause().get();
    boolean available = b != null && b.availabilityGuard().isAvailable();
    Map<String, String> http = new HashMap<>();
    for (MemberRow m : rows) {
      String url = bolt.httpAddressOf(m.memberId());
      if (url != null) {
        http.put(m.memberId(), url);
      }
    }
    boolean leaseApplied = gate.isOpen() && !gate.isBootstrapping();
    boolean changeInFlight = raft.membership().index() > row.commitIndex();
    return new MemberState(config.database(), row, rows, leaseApplied,
        panic == null ? null : String.valueOf(panic), available, changeInFlight,
        bolt.httpAddressOf(row.memberId()), http, events.events(), events.leaderChanges(),
        raft.metrics(), raft.snapshotMetrics(), raft.connectionMetrics());
  }

  SnapshotSupport snapshots() {
    return machine.snapshots();
  }

  @Override
  public long appliedIndex() {
    return machine.lastAppliedIndex();
  }

  /**
   * Why graft stopped on this member (its Raft node hit a fatal error: a failed log write or
   * fsync, e.g. a full disk; a failed apply, e.g. Neo4j's own transaction log on a full disk), or
   * null while it runs. A stopped member is reported with role {@value #STOPPED}.
   */
  String stoppedBecause() {
    return raft.failure().map(DatabaseBridge::cause).orElse(null);
  }

  /** The failure's cause, down to the root (e.g. "... : No space left on device"). */
  static String cause(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return root == cause ? text : text + " (cause: " + root.getClass().getSimpleName() + ": "
        + root.getMessage() + ")";
  }

  /** Logs, once, to debug.log and neo4j.log that graft stopped here, why, and what to do. */
  void reportIfStopped() {
    raft.failure().ifPresent(failure -> {
      if (stopReported.compareAndSet(false, true)) {
        String message = String.format("graft: the Raft member %s of database '%s' STOPPED after"
            + " a fatal error: %s. It takes no writes and no longer follows the cluster"
            + " (raft.status() reports role %s; it refuses neo4j:// routing requests, so drivers"
            + " ask the other members, which go on without it while a majority of them is up)."
            + " Fix the cause (a full disk: free space) and restart this server: it recovers"
            + " from its own disk and catches up.", config.self(), config.database(),
            cause(failure), STOPPED);
        log.error(message, failure);
        userLog.error(message);
        if (machine.failed()) { // an apply failed: Neo4j's log may end in a torn append
          TornTxLogTail.recordFailedApply(config.raftDirectory(),
              slot.current().durability().durableConsensusIndex(), log);
        }
      }
    });
  }

  /** The role reported for a member whose Raft node stopped after a fatal error. */
  static final String STOPPED = "STOPPED";

  @Override
  public StatusRow status() {
    RaftStatus s = raft.status();
    String leader = s.leader() == null ? null : s.leader().value();
    List<String> voters = new ArrayList<>();
    for (RaftStatus.MemberStatus m : s.members()) {
      if (m.voting()) {
        voters.add(m.id().value());
      }
    }
    return new StatusRow(
        s.self().value(), s.self().value(), bolt.boltAddressOf(s.self().value()),
        roleOf(s.role()), s.term(), leader, leader == null ? null : bolt.boltAddressOf(leader),
        s.commitIndex(), machine.lastAppliedIndex(), s.lastLogIndex(), machine.lastCommittedTxId(),
        voters);
  }

  @Override
  public List<MemberRow> members() {
    RaftStatus s = raft.status();
    List<MemberRow> rows = new ArrayList<>();
    for (RaftStatus.MemberStatus m : s.members()) {
      long lag = m.matchIndex() < 0 ? -1 : Math.max(0, s.lastLogIndex() - m.matchIndex());
      rows.add(new MemberRow(
          m.id().value(), m.id().value(), bolt.boltAddressOf(m.id().value()),
          m.id().equals(s.self()) ? roleOf(m.role()) : roleName(m.role()),
          m.voting(), m.matchIndex(), lag, m.lastContactMillis()));
    }
    return rows;
  }

  @Override
  public RaftNode raft() {
    return raft;
  }

  /** raft.backup: {@link OnlineBackup} of the replicated database and this member's system one. */
  @Override
  public BackupRow backup(String directory, boolean dump) throws Exception {
    synchronized (this) {
      if (binding == null) {
        throw new IllegalStateException("graft: the replicated database is restarting on this"
            + " member (a snapshot install); retry in a moment");
      }
    }
    DatabaseContextProvider<?> contexts =
        database.getDependencyResolver().resolveDependency(DatabaseContextProvider.class);
    Optional<? extends DatabaseContext> systemContext =
        contexts.getDatabaseContext(NamedDatabaseId.NAMED_SYSTEM_DATABASE_ID);
    Database system = systemContext.map(DatabaseContext::database)
        .filter(Database.class::isInstance).map(Database.class::cast).orElseThrow(() ->
            new IllegalStateException("graft: the system database is not running; a backup needs"
                + " it (it holds the database's identity)"));
    OnlineBackup.Result r = new OnlineBackup(config, database, system, machine, log::info)
        .take(Path.of(directory), dump);
    return new BackupRow(r.directory().toString(), r.appliedIndex(), r.lastTxId(), r.bytes(),
        r.millis(), r.dump() == null ? null : r.dump().toString());
  }

  @Override
  public String boltAddressOf(String memberId) {
    return bolt.boltAddressOf(memberId);
  }

  /**
   * Membership procedures wait this long: at least 2 minutes (a learner may need a store copy and
   * several catch-up rounds, thesis §4.2.1), longer if server.raft.commit_timeout is longer.
   */
  @Override
  public Duration changeTimeout() {
    Duration floor = Duration.ofMinutes(2);
    return config.commitTimeout().compareTo(floor) > 0 ? config.commitTimeout() : floor;
  }

  /**
   * The timeline of this member's own writes (encoded; core-raft's stages from the proposal; the
   * Neo4j side's apply started, Neo4j commit done, committer released), then the Raft log fsync
   * and the Neo4j log forces graft asked for (counts included: the histograms count them).
   */
  @Override
  public Map<String, HistogramSnapshot> latencies() {
    Map<String, HistogramSnapshot> out = new LinkedHashMap<>();
    Map<WriteStages.Stage, HistogramSnapshot> neo = waiters.stages().snapshot();
    RaftMetrics raftMetrics = raft.metrics();
    out.put(WriteStages.Stage.ENCODED.metricName(), neo.get(WriteStages.Stage.ENCODED));
    for (LeaderStage stage : LeaderStage.values()) {
      out.put(stage.metricName(), raftMetrics.stage(stage));
    }
    for (WriteStages.Stage stage : List.of(WriteStages.Stage.APPLY_STARTED,
        WriteStages.Stage.NEO4J_COMMIT_DONE, WriteStages.Stage.COMMITTER_RELEASED)) {
      out.put(stage.metricName(), neo.get(stage));
    }
    out.put("raft_log_fsync", raftMetrics.fsyncLatency());
    Neo4jBinding b = binding;
    out.put("neo4j_log_force", b == null ? HistogramSnapshot.EMPTY : b.forces().latency());
    return out;
  }

  /** The routing table for {@code neo4j://} drivers, from this member's current view. */
  RaftRoutingTable routingTable(long ttlMillis) {
    RaftStatus s = raft.status();
    List<String> voters = new ArrayList<>();
    List<String> learners = new ArrayList<>();
    for (RaftStatus.MemberStatus m : s.members()) {
      (m.voting() ? voters : learners).add(m.id().value());
    }
    String leader = s.leader() == null ? null : s.leader().value();
    return RaftRoutingTable.compute(
        s.self().value(), leader, voters, learners, bolt::boltAddressOf, ttlMillis);
  }

  /** This member's own role: {@value #STOPPED} once its Raft node stopped. */
  private String roleOf(Role role) {
    return raft.failure().isPresent() ? STOPPED : roleName(role);
  }

  /** docs/ARCHITECTURE.md §3 names: a pre-candidate is reported as CANDIDATE. */
  static String roleName(Role role) {
    return role == Role.PRE_CANDIDATE ? Role.CANDIDATE.name() : role.name();
  }
}
