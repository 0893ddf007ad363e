package io.graft.plugin;

import io.graft.bridge.apply.GraphStateMachine;
import io.graft.bridge.apply.IdAllocationSwitch;
import io.graft.bridge.apply.LeaseKeeper;
import io.graft.bridge.apply.LeaseState;
import io.graft.bridge.apply.TxApplier;
import io.graft.bridge.capture.LeaderWriteGuard;
import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.capture.RaftTransactionCommitProcess;
import io.graft.bridge.capture.WriteGate;
import io.graft.plugin.routing.BoltAddressBook;
import io.graft.plugin.routing.RaftRoutingTable;
import io.graft.procedures.MemberRow;
import io.graft.procedures.RaftAdmin;
import io.graft.procedures.StatusRow;
import io.graft.raft.api.MemberId;
import io.graft.raft.api.RaftNode;
import io.graft.raft.api.RaftShutdownException;
import io.graft.raft.api.RaftStatus;
import io.graft.raft.api.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.neo4j.common.DependencyResolver;
import org.neo4j.internal.id.IdGeneratorFactory;
import org.neo4j.io.pagecache.context.CursorContextFactory;
import org.neo4j.kernel.availability.AvailabilityListener;
import org.neo4j.kernel.availability.DatabaseAvailabilityGuard;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.impl.api.KernelTransactions;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.impl.api.txid.TransactionIdGenerator;
import org.neo4j.kernel.impl.transaction.log.TransactionCommitmentFactory;
import org.neo4j.logging.InternalLog;
import org.neo4j.monitoring.DatabaseHealth;
import org.neo4j.storageengine.api.StorageEngine;
import org.neo4j.storageengine.api.StorageEngineFactory;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * graft running for one started database: the state machine, the Raft member, the swapped commit
 * process and write guard, and the admin view the procedures read. Built on every database start
 * (a restart builds a new {@link KernelTransactions}) and closed on stop.
 */
final class DatabaseBridge implements RaftAdmin, AutoCloseable {
  private final RaftPluginConfig config;
  private final RaftNode raft;
  private final GraphStateMachine machine;
  private final ProposalWaiters waiters;
  private final DatabaseAvailabilityGuard availabilityGuard;
  private final AvailabilityListener availabilityListener;
  private final BoltAddressBook bolt;

  private DatabaseBridge(
      RaftPluginConfig config,
      BoltAddressBook bolt,
      RaftNode raft,
      GraphStateMachine machine,
      ProposalWaiters waiters,
      DatabaseAvailabilityGuard availabilityGuard,
      AvailabilityListener availabilityListener) {
    this.config = config;
    this.bolt = bolt;
    this.raft = raft;
    this.machine = machine;
    this.waiters = waiters;
    this.availabilityGuard = availabilityGuard;
    this.availabilityListener = availabilityListener;
  }

  static DatabaseBridge start(
      RaftPluginConfig config,
      BoltAddressBook bolt,
      Database database,
      RaftNodeFactory factory,
      InternalLog log)
      throws Exception {
    InternalsAccess.verify();
    DependencyResolver deps = database.getDependencyResolver();
    KernelTransactions kernelTransactions = deps.resolveDependency(KernelTransactions.class);
    // The resolvable commit process is the original one; the field may already hold ours if
    // start() ran before on this KernelTransactions (idempotent re-install).
    TransactionCommitProcess original = deps.resolveDependency(TransactionCommitProcess.class);
    StorageEngine storageEngine = deps.resolveDependency(StorageEngine.class);
    CursorContextFactory contexts = deps.resolveDependency(CursorContextFactory.class);
    TransactionIdStore txIds = deps.resolveDependency(TransactionIdStore.class);
    DatabaseHealth health = deps.resolveDependency(DatabaseHealth.class);
    TxApplier applier =
        new TxApplier(
            original,
            storageEngine,
            deps.resolveDependency(StorageEngineFactory.class).commandReaderFactory(),
            deps.resolveDependency(TransactionCommitmentFactory.class),
            deps.resolveDependency(TransactionIdGenerator.class),
            contexts);
    WriteGate gate = new WriteGate();
    ProposalWaiters waiters = new ProposalWaiters();
    IdAllocationSwitch idSwitch =
        new IdAllocationSwitch(deps.resolveDependency(IdGeneratorFactory.class), contexts);
    GraphStateMachine machine =
        new GraphStateMachine(
            config.self(),
            applier,
            LeaseState.open(config.raftDirectory()),
            idSwitch,
            gate,
            waiters,
            txIds::getLastCommittedTransactionId,
            () -> txIds.getLastCommittedTransaction().consensusIndex(),
            cause -> {
              log.error("graft: applying a committed Raft entry failed; panicking the database"
                  + " rather than diverging", cause);
              health.panic(cause);
            });
    String dbName = database.getNamedDatabaseId().name();
    // Applies wait until the database (and its transaction log) is fully started.
    DatabaseAvailabilityGuard guardOfDb = database.getDatabaseAvailabilityGuard();
    AvailabilityListener availability = new AvailabilityListener() {
      @Override
      public void available() {
        machine.databaseAvailable(true);
      }

      @Override
      public void unavailable() {
        machine.databaseAvailable(false);
      }
    };
    guardOfDb.addListener(availability);
    if (guardOfDb.isAvailable()) {
      machine.databaseAvailable(true);
    }
    LeaderWriteGuard guard = new LeaderWriteGuard(gate, dbName);
    // Guard first: from here on no local write can start, only Raft applies.
    InternalsAccess.install(kernelTransactions, original, guard, guard);
    RaftNode raft = factory.create(spec(config, bolt), machine);
    LeaseKeeper keeper = new LeaseKeeper(config.self(), raft, machine, gate, log::warn);
    machine.setLeaseListener(keeper);
    raft.addListener(keeper);
    InternalsAccess.install(
        kernelTransactions,
        new RaftTransactionCommitProcess(
            raft, gate, waiters, config.self(), dbName, config.maxEntrySize(),
            config.commitTimeout()),
        guard,
        guard);
    log.info("graft: database '%s' replicated through Raft as member %s of %s (applied index %d)",
        dbName, config.self(), config.initialMembers(), machine.lastAppliedIndex());
    return new DatabaseBridge(config, bolt, raft, machine, waiters, guardOfDb, availability);
  }

  private static RaftNodeSpec spec(RaftPluginConfig c, BoltAddressBook bolt) {
    List<MemberId> members = new ArrayList<>();
    c.initialMembers().forEach(m -> members.add(MemberId.of(m)));
    return new RaftNodeSpec(
        c.clusterId(), MemberId.of(c.self()), c.listenAddress(), List.copyOf(members),
        c.raftDirectory(), c.electionTimeout(), c.heartbeatInterval(), bolt);
  }

  @Override
  public void close() {
    availabilityGuard.removeListener(availabilityListener);
    machine.close();
    try {
      raft.close();
    } finally {
      waiters.failAll(new RaftShutdownException("graft: the replicated database is stopping"));
    }
  }

  @Override
  public long appliedIndex() {
    return machine.lastAppliedIndex();
  }

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
        roleName(s.role()), s.term(), leader, leader == null ? null : bolt.boltAddressOf(leader),
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
          m.id().value(), m.id().value(), bolt.boltAddressOf(m.id().value()), roleName(m.role()),
          m.voting(), m.matchIndex(), lag, m.lastContactMillis()));
    }
    return rows;
  }

  @Override
  public RaftNode raft() {
    return raft;
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

  /** ARCHITECTURE §3 names: a pre-candidate is reported as CANDIDATE. */
  static String roleName(Role role) {
    return role == Role.PRE_CANDIDATE ? Role.CANDIDATE.name() : role.name();
  }
}
