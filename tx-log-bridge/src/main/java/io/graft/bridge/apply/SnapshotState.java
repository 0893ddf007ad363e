package io.graft.bridge.apply;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.file.Path;

/**
 * What a snapshot of the state machine reads (applied index, lease) and what its install replaces.
 * Handed to the snapshot support by {@link GraphStateMachine}: its {@code install} runs under the
 * apply lock; a {@code write} that runs while entries are applied takes its cut with {@link
 * #atCut}, the only moment it holds that lock.
 */
public final class SnapshotState {
  private final LeaseFencing fencing;
  private final DatabaseSlot database;
  private final AppliedIndex applied;
  private final Object applyLock;
  /** Incremented when an install begins: a write that spans one must not be published. */
  private final AtomicLong installs = new AtomicLong();
  private final UsersState users;

  SnapshotState(LeaseFencing fencing, DatabaseSlot database, AppliedIndex applied,
      Object applyLock, UsersState users) {
    this.fencing = fencing;
    this.database = database;
    this.applied = applied;
    this.applyLock = applyLock;
    this.users = users;
  }

  /**
   * Writes the cluster's user table into {@code file} (nothing without one). A write that runs
   * while applying calls it inside {@link #atCut}, so the table belongs to the cut's index.
   */
  public void writeUsers(Path file) throws IOException {
    if (users != null) {
      users.writeTo(file);
    }
  }

  /**
   * Adopts the snapshot's user table ({@code file}; an empty one if the snapshot has none), before
   * {@link #completeInstall} records the index.
   */
  public void installUsers(Path file, long index) throws IOException {
    if (users != null) {
      users.installFrom(file, index);
    }
  }

  public long appliedIndex() {
    return applied.get();
  }

  /** The applied lease (graft's own replicated state, carried by snapshots). */
  public LeaseState.Snapshot lease() {
    return fencing.current();
  }

  /**
   * Runs {@code action} between two applies, under the apply lock: no transaction is being
   * appended to Neo4j's log or applied to its store meanwhile, so the applied index, the lease,
   * Neo4j's last transaction and its log's end describe one and the same state. Neo4j's log is
   * forced first, so the file holds every byte up to that end. Keep it short: applies wait.
   */
  public <T> T atCut(Callable<T> action) throws Exception {
    synchronized (applyLock) {
      database.current().durability().force(Durability.Purpose.SNAPSHOT);
      return action.call();
    }
  }

  /** Changes whenever an install begins (a write compares it before and after). */
  public long installGeneration() {
    return installs.get();
  }

  /**
   * A snapshot install starts: this member cannot write until a later lease makes it leader, and
   * a durable marker says the store is being replaced until {@link #completeInstall}.
   */
  public void beginInstall(long index) throws IOException {
    installs.incrementAndGet();
    fencing.beginInstall(index, database.current());
  }

  /**
   * The snapshot's files are in place and the database is started again (and re-bound): adopt the
   * snapshot's lease and index. The lease file records {@code index}, so the applied index
   * survives a restart even if the snapshot ends with entries that leave no trace in Neo4j's log.
   */
  public void completeInstall(long index, int leaseId, String leaseOwner) throws IOException {
    fencing.completeInstall(index, leaseId, leaseOwner, database.current());
    applied.reset(index);
  }
}
