package io.graft.bridge.apply;

import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.capture.StaleLeaseException;
import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.NoOpEntry;
import io.graft.bridge.model.ReplicatedEntry;
import io.graft.bridge.model.TxEntry;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The replicated state machine of one Neo4j database. Called by the Raft runtime's single apply
 * thread in strict log order on EVERY member, the leader included (Raft §5.3; ARCHITECTURE §2).
 *
 * <ul>
 *   <li>{@code index <= lastApplied} is skipped: the applied index is Neo4j's own durable {@code
 *       consensusIndex} (tx entries) or the lease file's index (lease entries), so a replay after a
 *       crash applies nothing twice.
 *   <li>{@link LeaseEntry}: accepted iff it is the successor of the current lease. The owner opens
 *       its write gate and turns id allocation on; every other member closes and turns it off.
 *   <li>{@link TxEntry} under a lease that is not current: rejected identically everywhere (the 3.x
 *       lock-token rule); its origin's committer fails with NotALeader.
 *   <li>Anything that throws panics the database ({@code DatabaseHealth.panic}) and the machine
 *       refuses all further entries: a member stops rather than diverge (STYLE.md principle 7).
 * </ul>
 */
public final class GraphStateMachine implements StateMachine {
  private final String self;
  private final LeaseState leaseState;
  private final WriteGate gate;
  private final ProposalWaiters waiters;
  // Bound to one start of the Neo4j database; a snapshot install restarts it (rebind).
  private volatile EntryApplier applier;
  private volatile IdAllocation idSwitch;
  private volatile LongSupplier lastCommittedTxId;
  private volatile LongSupplier lastConsensusIndex;
  private volatile Consumer<Throwable> panic;
  private volatile SnapshotSupport snapshots;
  private final Visitor visitor = new Visitor();

  private final Object availability = new Object();
  private boolean databaseAvailable;
  private boolean localBootstrapPending;
  private boolean closed;
  private volatile LeaseListener leaseListener = (lease, accepted) -> {};
  private volatile long lastApplied;
  private volatile Throwable failure;
  /** Group-commit counters since this machine was built (guarded by this). */
  private long chains;
  private long chainedTxs;
  private long largestChain;

  /** Told after each lease entry is applied, on the apply thread; must not block. */
  public interface LeaseListener {
    void onLeaseApplied(LeaseEntry lease, boolean accepted);
  }

  public GraphStateMachine(
      String self,
      EntryApplier applier,
      LeaseState leaseState,
      IdAllocation idSwitch,
      WriteGate gate,
      ProposalWaiters waiters,
      LongSupplier lastCommittedTxId,
      LongSupplier lastConsensusIndex,
      Consumer<Throwable> panic) {
    this.self = self;
    this.applier = applier;
    this.leaseState = leaseState;
    this.idSwitch = idSwitch;
    this.gate = gate;
    this.waiters = waiters;
    this.lastCommittedTxId = lastCommittedTxId;
    this.lastConsensusIndex = lastConsensusIndex;
    this.panic = panic;
    leaseState.refuseAfterInterruptedInstall();
    LeaseState.Snapshot lease = leaseState.current();
    gate.recovered(lease.leaseId(), lease.owner());
    idSwitch.set(false);
    this.lastApplied = durableAppliedIndex();
  }

  public void setLeaseListener(LeaseListener listener) {
    this.leaseListener = listener;
  }

  /**
   * The database was restarted under this machine (a snapshot install): apply through the new
   * start's services from now on. Id allocation stays off until a lease says otherwise.
   */
  public synchronized void rebind(
      EntryApplier applier,
      IdAllocation idSwitch,
      LongSupplier lastCommittedTxId,
      LongSupplier lastConsensusIndex,
      Consumer<Throwable> panic) {
    this.applier = applier;
    this.idSwitch = idSwitch;
    this.lastCommittedTxId = lastCommittedTxId;
    this.lastConsensusIndex = lastConsensusIndex;
    this.panic = panic;
    idSwitch.set(false);
  }

  /**
   * Installs snapshot support. Its {@code write}/{@code install} run under this machine's apply
   * lock, so they never interleave with an apply, whichever thread calls them.
   */
  public void setSnapshots(SnapshotSupport support) {
    this.snapshots = support == null ? null : new SnapshotSupport() {
      @Override
      public long write(Path directory) throws Exception {
        synchronized (GraphStateMachine.this) {
          return support.write(directory);
        }
      }

      @Override
      public void install(Path directory, long index) throws Exception {
        synchronized (GraphStateMachine.this) {
          support.install(directory, index);
        }
      }
    };
  }

  @Override
  public SnapshotSupport snapshots() {
    return snapshots;
  }

  /** The applied lease (graft's own replicated state, carried by snapshots). */
  public LeaseState.Snapshot currentLease() {
    return leaseState.current();
  }

  /**
   * A snapshot install starts: this member cannot write until a later lease makes it leader, and
   * a durable marker says the store is being replaced until {@link #completeInstall}.
   */
  public synchronized void beginInstall(long index) throws IOException {
    gate.close();
    idSwitch.set(false);
    leaseState.markInstallPending(index);
  }

  /**
   * The snapshot's files are in place and the database is started again: adopt the snapshot's
   * lease and index. The lease file records {@code index}, so the applied index survives a
   * restart even if the snapshot ends with entries that leave no trace in Neo4j's log.
   */
  public synchronized void completeInstall(long index, int leaseId, String leaseOwner)
      throws IOException {
    leaseState.write(leaseId, leaseOwner, index);
    leaseState.clearInstallPending();
    gate.recovered(leaseId, leaseOwner);
    idSwitch.set(false);
    lastApplied = index;
  }

  /**
   * Runs {@code action} between two applies (under the apply lock): no transaction is being
   * appended to Neo4j's log or applied to its store meanwhile, and {@link #lastAppliedIndex()},
   * {@link #currentLease()} and the store's last transaction describe one and the same state. An
   * online backup reads its boundary here (the transaction-log position to copy up to). The
   * action must be short: applies wait for it.
   */
  public synchronized <T> T atAppliedBoundary(java.util.function.Supplier<T> action) {
    return action.get();
  }

  /** max(Neo4j's consensusIndex, the lease file's index); both are durable. */
  private long durableAppliedIndex() {
    return Math.max(Math.max(lastConsensusIndex.getAsLong(), leaseState.current().raftIndex()), 0);
  }

  @Override
  public long lastAppliedIndex() {
    return lastApplied;
  }

  public long lastCommittedTxId() {
    return lastCommittedTxId.getAsLong();
  }

  public boolean failed() {
    return failure != null;
  }

  /**
   * The database extension starts before Neo4j's transaction log is open and stops after it is
   * closed, so entries may only be applied while the database is available; until then (and after
   * it becomes unavailable) the apply thread waits here.
   */
  public void databaseAvailable(boolean available) {
    synchronized (availability) {
      databaseAvailable = available;
      availability.notifyAll();
    }
  }

  /**
   * A brand-new store is about to commit its store-initialisation transaction locally (see
   * {@code LocalBootstrapCommitProcess}); no Raft entry may be applied before it, or tx ids would
   * differ between members.
   */
  public void expectLocalBootstrap() {
    synchronized (availability) {
      localBootstrapPending = true;
    }
  }

  /** The local store-initialisation transaction has committed: Raft entries may be applied. */
  public void localBootstrapDone() {
    synchronized (availability) {
      localBootstrapPending = false;
      availability.notifyAll();
    }
  }

  /** No more applies: a waiting apply thread fails instead of waiting forever. */
  public void close() {
    synchronized (availability) {
      closed = true;
      availability.notifyAll();
    }
  }

  private void awaitDatabaseAvailable() throws InterruptedException {
    synchronized (availability) {
      while ((!databaseAvailable || localBootstrapPending) && !closed) {
        availability.wait();
      }
      if (closed) {
        throw new IllegalStateException("graft: the replicated database stopped; not applying");
      }
    }
  }

  @Override
  public Object apply(CommittedEntry entry) throws Exception {
    awaitDatabaseAvailable();
    return applyInOrder(entry);
  }

  private synchronized Object applyInOrder(CommittedEntry entry) throws Exception {
    checkRunning();
    if (entry.index() <= lastApplied) {
      return null; // already applied before a restart: idempotent skip
    }
    try {
      ReplicatedEntry decoded = EntryCodec.decode(entry.payload());
      visitor.index = entry.index();
      Object result = decoded.accept(visitor);
      lastApplied = entry.index();
      return result;
    } catch (Throwable t) {
      throw stop(t);
    }
  }

  /**
   * Group commit: the accepted transactions of the run go to Neo4j as one chain (one log append,
   * one force), split only where a {@link LeaseEntry} is applied (fencing of later entries depends
   * on it) or the kernel version changes. Fencing is decided per entry in log order exactly as in
   * {@link #apply}: a transaction under a stale lease is rejected (its waiter failed) and never
   * joins a chain; no-ops join nothing. Waiters of chained transactions complete only after their
   * chain is durable, and the applied index moves only past durable entries, so a crash anywhere
   * restarts from max(Neo4j's last consensusIndex, lease index) as after single applies.
   */
  @Override
  public List<Object> applyBatch(List<CommittedEntry> entries) throws Exception {
    awaitDatabaseAvailable();
    return applyBatchInOrder(entries);
  }

  private synchronized List<Object> applyBatchInOrder(List<CommittedEntry> entries)
      throws Exception {
    checkRunning();
    Object[] results = new Object[entries.size()];
    TxChain chain = new TxChain();
    long decidedUpTo = lastApplied;
    try {
      for (int i = 0; i < entries.size(); i++) {
        CommittedEntry entry = entries.get(i);
        if (entry.index() <= lastApplied) {
          continue; // already applied before a restart: idempotent skip
        }
        ReplicatedEntry decoded = EntryCodec.decode(entry.payload());
        if (decoded instanceof TxEntry tx && tx.leaseId() == gate.currentLeaseId()) {
          if (!chain.accepts(tx)) {
            commitChain(chain, results, decidedUpTo);
          }
          chain.add(i, entry.index(), tx);
        } else {
          if (decoded instanceof LeaseEntry) {
            commitChain(chain, results, decidedUpTo);
          }
          visitor.index = entry.index();
          results[i] = decoded.accept(visitor);
          if (chain.isEmpty()) {
            lastApplied = entry.index(); // nothing before it is still waiting for a chain
          }
        }
        decidedUpTo = entry.index();
      }
      commitChain(chain, results, decidedUpTo);
    } catch (Throwable t) {
      throw stop(t);
    }
    return Arrays.asList(results);
  }

  /**
   * Commits the pending chain (if any), hands each tx id to its origin's waiter, and moves the
   * applied index to {@code upTo}: every entry up to it is now durable or left no trace.
   */
  private void commitChain(TxChain chain, Object[] results, long upTo) throws Exception {
    if (!chain.isEmpty()) {
      long[] txIds = chain.commit(applier);
      chains++;
      chainedTxs += chain.size();
      largestChain = Math.max(largestChain, chain.size());
      for (int k = 0; k < chain.size(); k++) {
        TxEntry tx = chain.entry(k);
        results[chain.position(k)] = txIds[k];
        if (self.equals(tx.originMember())) {
          waiters.complete(tx.proposalId(), txIds[k]);
        }
      }
      chain.clear();
    }
    if (upTo > lastApplied) {
      lastApplied = upTo;
    }
  }

  /**
   * Since this machine was built: {chains committed by {@link #applyBatch}, transactions in them,
   * largest chain}. Transactions/chains is the Neo4j log forces saved by group commit.
   */
  public synchronized long[] chainStats() {
    return new long[] {chains, chainedTxs, largestChain};
  }

  private void checkRunning() {
    if (failure != null) {
      throw new IllegalStateException("state machine stopped after an apply failure", failure);
    }
  }

  /** An apply failed: panic the database, fail every waiter, refuse all further entries. */
  private Exception stop(Throwable t) {
    failure = t;
    panic.accept(t);
    waiters.failAll(t);
    return t instanceof Exception ? (Exception) t : new RuntimeException(t);
  }

  @Override
  public synchronized void onInternalEntry(long index, long term) {
    // No durable trace needed: replaying an internal entry after a restart changes nothing. The
    // in-memory index advances so a snapshot written now covers it (the runtime expects write()
    // to report its applied index, no-ops and configuration entries included).
    if (index > lastApplied) {
      lastApplied = index;
    }
  }

  /**
   * This member stopped being leader: close the gate and stop allocating ids at once, before its
   * in-flight transactions finish (NEO4J-INTERNALS §4, "belt-and-braces"). Taken under the apply
   * lock so it never interleaves with a lease being applied.
   */
  public synchronized void steppedDown() {
    gate.close();
    if (failure == null) {
      idSwitch.set(false);
    }
  }

  private final class Visitor implements ReplicatedEntry.Visitor<Object> {
    private long index;

    @Override
    public Object visitTx(TxEntry tx) throws Exception {
      boolean mine = self.equals(tx.originMember());
      if (tx.leaseId() != gate.currentLeaseId()) {
        if (mine) {
          waiters.fail(
              tx.proposalId(),
              new StaleLeaseException(
                  "the transaction was prepared under lease "
                      + tx.leaseId()
                      + " but lease "
                      + gate.currentLeaseId()
                      + " is current; it was rejected on every member"));
        }
        return null;
      }
      long txId = applier.apply(tx, index);
      if (mine) {
        waiters.complete(tx.proposalId(), txId);
      }
      return txId;
    }

    @Override
    public Object visitLease(LeaseEntry lease) throws Exception {
      boolean accepted = lease.leaseId() == gate.currentLeaseId() + 1;
      if (accepted) {
        leaseState.write(lease.leaseId(), lease.owner(), index);
        boolean mine = self.equals(lease.owner());
        // Allocation on only after every earlier entry is applied (we are in log order here),
        // mirroring 3.x IdReusabilityCondition.
        idSwitch.set(mine);
        gate.leaseApplied(lease.leaseId(), lease.owner(), mine, lastCommittedTxId.getAsLong());
      }
      leaseListener.onLeaseApplied(lease, accepted);
      return null;
    }

    @Override
    public Object visitNoOp(NoOpEntry noOp) {
      return null;
    }
  }
}
