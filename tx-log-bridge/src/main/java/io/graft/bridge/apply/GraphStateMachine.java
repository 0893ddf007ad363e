package io.graft.bridge.apply;

import io.graft.bridge.capture.ProposalWaiters;
import io.graft.bridge.codec.EntryCodec;
import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.NoOpEntry;
import io.graft.bridge.model.ReplicatedEntry;
import io.graft.bridge.model.TxEntry;
import io.graft.bridge.model.UsersEntry;
import io.graft.raft.api.CommittedEntry;
import io.graft.raft.api.SnapshotSupport;
import io.graft.raft.api.StateMachine;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The replicated state machine of one Neo4j database: apply ORDERING. Called by the Raft runtime's
 * single apply thread in strict log order on EVERY member, the leader included (Raft §5.3;
 * docs/ARCHITECTURE.md §2).
 *
 * <ul>
 *   <li>{@code index <= lastApplied} is skipped: the applied index is Neo4j's own durable {@code
 *       consensusIndex} (tx entries) or the lease file's index (lease entries), so a replay after a
 *       crash applies nothing twice.
 *   <li>Lease entries and the fencing of transactions by the current lease: {@link LeaseFencing}.
 *       A transaction under a lease that is not current is rejected identically everywhere; its
 *       origin's committer fails with NotALeader.
 *   <li>The database the entries go to, which a snapshot install restarts: {@link DatabaseSlot};
 *       what a snapshot reads and its install replaces: {@link SnapshotState}.
 *   <li>Anything that throws panics the database ({@code DatabaseHealth.panic}) and the machine
 *       refuses all further entries: a member stops rather than diverge (docs/STYLE.md §3.7).
 * </ul>
 */
public final class GraphStateMachine implements StateMachine {
  private final String self;
  private final LeaseFencing fencing;
  private final DatabaseSlot database;
  private final ProposalWaiters waiters;
  private final AppliedIndex applied;
  private final SnapshotSupport snapshots;
  /** The cluster's user table, or null on a machine built without one (it refuses user entries). */
  private final UsersState users;
  private final Visitor visitor = new Visitor();
  private volatile Throwable failure;
  /** Group-commit counters since this machine was built (guarded by this). */
  private long chains;
  private long chainedTxs;
  private long largestChain;

  /** Builds the snapshot support of a machine over the state it reads and replaces. */
  @FunctionalInterface
  public interface SnapshotFactory {
    SnapshotSupport create(SnapshotState state);
  }

  /**
   * @param snapshots builds this machine's snapshot support, or null for none; its {@code write}
   *     and {@code install} run under this machine's apply lock, so they never interleave with an
   *     apply, whichever thread calls them
   */
  public GraphStateMachine(
      String self,
      LeaseFencing fencing,
      DatabaseSlot database,
      ProposalWaiters waiters,
      SnapshotFactory snapshots) {
    this(self, fencing, database, waiters, snapshots, null);
  }

  /**
   * @param users the cluster's user table (users entries), or null: such a machine stops on a
   *     users entry, as on any entry it cannot apply
   */
  public GraphStateMachine(
      String self,
      LeaseFencing fencing,
      DatabaseSlot database,
      ProposalWaiters waiters,
      SnapshotFactory snapshots,
      UsersState users) {
    this.self = self;
    this.fencing = fencing;
    this.database = database;
    this.waiters = waiters;
    this.users = users;
    DatabaseHandle db = database.current();
    db.idAllocation().set(false);
    // max(Neo4j's consensusIndex, the lease file's index, the users table's); all are durable
    // (Neo4j's log is forced before the lease file or the users table records an index).
    long usersIndex = users == null ? 0 : users.current().raftIndex();
    this.applied = new AppliedIndex(Math.max(Math.max(
        Math.max(db.lastConsensusIndex().getAsLong(), fencing.current().raftIndex()),
        usersIndex), 0));
    this.snapshots = snapshots == null ? null : new LockedSnapshots(
        snapshots.create(new SnapshotState(fencing, database, applied, this, users)));
  }

  @Override
  public SnapshotSupport snapshots() {
    return snapshots;
  }

  /** The applied lease (graft's own replicated state, carried by snapshots). */
  public LeaseState.Snapshot currentLease() {
    return fencing.current();
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

  @Override
  public long lastAppliedIndex() {
    return applied.get();
  }

  /**
   * What survives a crash without the Raft log: Neo4j's durable consensusIndex (its log forced at
   * checkpoints, lease changes and snapshots, not per apply), or the lease file's index (written
   * after such a force). The runtime never compacts its log past it.
   */
  @Override
  public long durableIndex() {
    long durable = Math.max(database.current().durability().durableConsensusIndex(),
        fencing.current().raftIndex());
    if (users != null) {
      durable = Math.max(durable, users.current().raftIndex());
    }
    return Math.min(durable, applied.get());
  }

  public long lastCommittedTxId() {
    return database.current().lastCommittedTxId().getAsLong();
  }

  public boolean failed() {
    return failure != null;
  }

  @Override
  public Object apply(CommittedEntry entry) throws Exception {
    database.awaitAvailable();
    return applyInOrder(entry);
  }

  private synchronized Object applyInOrder(CommittedEntry entry) throws Exception {
    checkRunning();
    if (entry.index() <= applied.get()) {
      return null; // already applied before a restart: idempotent skip
    }
    try {
      ReplicatedEntry decoded = EntryCodec.decode(entry.payload());
      visitor.index = entry.index();
      Object result = decoded.accept(visitor);
      applied.advanceTo(entry.index());
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
    database.awaitAvailable();
    return applyBatchInOrder(entries);
  }

  private synchronized List<Object> applyBatchInOrder(List<CommittedEntry> entries)
      throws Exception {
    checkRunning();
    Object[] results = new Object[entries.size()];
    TxChain chain = new TxChain();
    long decidedUpTo = applied.get();
    try {
      for (int i = 0; i < entries.size(); i++) {
        CommittedEntry entry = entries.get(i);
        if (entry.index() <= applied.get()) {
          continue; // already applied before a restart: idempotent skip
        }
        ReplicatedEntry decoded = EntryCodec.decode(entry.payload());
        if (decoded instanceof TxEntry tx && fencing.admits(tx)) {
          if (!chain.accepts(tx)) {
            commitChain(chain, results, decidedUpTo);
          }
          chain.add(i, entry.index(), tx,
              fencing.isMine(tx) ? waiters.claim(tx.proposalId()) : null);
        } else {
          if (decoded instanceof LeaseEntry) {
            commitChain(chain, results, decidedUpTo);
          }
          visitor.index = entry.index();
          results[i] = decoded.accept(visitor);
          if (chain.isEmpty()) {
            applied.advanceTo(entry.index()); // nothing before it is still waiting for a chain
          }
        }
        decidedUpTo = entry.index();
      }
      commitChain(chain, results, decidedUpTo);
    } catch (Throwable t) {
      chain.releaseClaims();
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
      long[] txIds = chain.commit(database.current().applier());
      chains++;
      chainedTxs += chain.size();
      largestChain = Math.max(largestChain, chain.size());
      for (int k = 0; k < chain.size(); k++) {
        TxEntry tx = chain.entry(k);
        results[chain.position(k)] = txIds[k];
        if (fencing.isMine(tx)) {
          waiters.complete(tx.proposalId(), txIds[k]);
        }
      }
      chain.clear();
    }
    applied.advanceTo(upTo);
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
    database.current().panic().accept(t);
    waiters.failAll(t);
    return t instanceof Exception ? (Exception) t : new RuntimeException(t);
  }

  @Override
  public synchronized void onInternalEntry(long index, long term) {
    // No durable trace needed: replaying an internal entry after a restart changes nothing. The
    // in-memory index advances so a snapshot written now covers it (the runtime expects write()
    // to report its applied index, no-ops and configuration entries included).
    applied.advanceTo(index);
  }

  /**
   * This member stopped being leader: close the gate and stop allocating ids at once, before its
   * in-flight transactions finish (docs/NEO4J-INTERNALS.md §4, "belt-and-braces"). Taken under the
   * apply lock so it never interleaves with a lease being applied.
   */
  public synchronized void steppedDown() {
    fencing.steppedDown(database.current(), failure != null);
  }

  private final class Visitor implements ReplicatedEntry.Visitor<Object> {
    private long index;

    @Override
    public Object visitTx(TxEntry tx) throws Exception {
      boolean mine = fencing.isMine(tx);
      if (!fencing.admits(tx)) {
        if (mine) {
          waiters.fail(tx.proposalId(), fencing.staleLease(tx));
        }
        return null;
      }
      TxChain one = new TxChain();
      one.add(0, index, tx, mine ? waiters.claim(tx.proposalId()) : null);
      long txId = one.commit(database.current().applier())[0];
      if (mine) {
        waiters.complete(tx.proposalId(), txId);
      }
      return txId;
    }

    /** @return whether the lease was accepted (handed to its proposer, the LeaseKeeper) */
    @Override
    public Object visitLease(LeaseEntry lease) throws Exception {
      return fencing.apply(lease, index, database.current());
    }

    @Override
    public Object visitNoOp(NoOpEntry noOp) {
      return null;
    }

    /** Durable in the users table before this returns; the projection follows asynchronously. */
    @Override
    public Object visitUsers(UsersEntry entry) throws Exception {
      if (users == null) {
        throw new IllegalStateException("graft: a users entry at index " + index + " reached a"
            + " state machine built without the cluster's user table");
      }
      // The users table records index: every transaction before it must be as durable in Neo4j's
      // log (forced only at checkpoints otherwise), or a crash that loses Neo4j's unforced tail
      // would make a restart start after them instead of re-applying them.
      database.current().durability().force(Durability.Purpose.USERS);
      users.apply(index, entry.changes());
      return null;
    }
  }

  /** The snapshot support under this machine's apply lock (a write while applying: its cut only). */
  private final class LockedSnapshots implements SnapshotSupport {
    private final SnapshotSupport support;

    LockedSnapshots(SnapshotSupport support) {
      this.support = support;
    }

    /** A write that runs while applying takes the lock only for its cut (SnapshotState). */
    @Override
    public boolean writesWhileApplying() {
      return support.writesWhileApplying();
    }

    @Override
    public long write(Path directory) throws Exception {
      if (support.writesWhileApplying()) {
        return support.write(directory);
      }
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
  }
}
