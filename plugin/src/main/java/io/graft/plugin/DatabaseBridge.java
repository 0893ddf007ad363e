package io.graft.plugin;

import io.graft.bridge.apply.DatabaseSlot;
import io.graft.bridge.apply.GraphStateMachine;
import io.graft.bridge.capture.LeaderWriteGuard;
import io.graft.bridge.capture.LocalBootstrapCommitProcess;
import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.capture.RaftTransactionCommitProcess;
import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.capture.WriteStages;
import io.graft.plugin.http.MemberState;
import io.graft.plugin.http.RaftEventLog;
import io.graft.plugin.routing.BoltAddressBook;
import io.graft.plugin.users.ReplicatedUsers;
import io.graft.plugin.routing.RaftRoutingTable;
import io.graft.procedures.BackupRow;
import io.graft.procedures.MemberRow;
import io.graft.procedures.RaftAdmin;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.metrics.HistogramSnapshot;
import io.graft.raft.api.metrics.LeaderStage;
import io.graft.raft.api.metrics.RaftMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * process and write guard, and the admin view the procedures read ({@link MemberStatusView}).
 * Built by {@link BridgeStartup} on every database start (a restart builds a new {@link
 * KernelTransactions}) and closed on stop, except around a snapshot install, which restarts the
 * database under the same Raft member ({@link #detach}, {@link #reattach}).
 */
final class DatabaseBridge implements RaftAdmin, AutoCloseable {
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
  private final RaftEventLog events;
  private final Database database;
  private final MemberStatusView view;
  private volatile Neo4jBinding binding;

  /** The parts {@link BridgeStartup} built; {@link #attach} then binds the started database. */
  DatabaseBridge(
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
      RaftEventLog events,
      Database database) {
    this.users = users;
    this.config = config;
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
    this.view = new MemberStatusView(raft, bolt, machine);
  }

  /** Commit process and availability of one database start. */
  synchronized void attach(Neo4jBinding b) {
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
    BridgeStartup.recordStoreBase(config, database.getNamedDatabaseId().databaseId().uuid(),
        b.lastCommittedTxId().getAsLong(), log);
    log.info("graft: database '%s' re-attached after a restart (tx %d)",
        database.getNamedDatabaseId().name(), b.lastCommittedTxId().getAsLong());
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
   * Why graft stopped on this member (a fatal error of its Raft node), or null while it runs.
   */
  String stoppedBecause() {
    return view.stoppedBecause();
  }

  @Override
  public StatusRow status() {
    return view.status();
  }

  @Override
  public List<MemberRow> members() {
    return view.members();
  }

  /** The routing table for {@code neo4j://} drivers, from this member's current view. */
  RaftRoutingTable routingTable(long ttlMillis) {
    return view.routingTable(ttlMillis);
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
}
