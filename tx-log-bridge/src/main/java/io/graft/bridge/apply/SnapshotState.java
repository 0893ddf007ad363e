package io.graft.bridge.apply;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a snapshot of the state machine reads (applied index, lease) and what its install replaces.
 * Handed to the snapshot support by {@link GraphStateMachine}, which runs its {@code write} and
 * {@code install} under the apply lock, so none of this interleaves with an apply.
 */
public final class SnapshotState {
  private final LeaseFencing fencing;
  private final DatabaseSlot database;
  private final AppliedIndex applied;
  private final UsersState users;

  SnapshotState(LeaseFencing fencing, DatabaseSlot database, AppliedIndex applied,
      UsersState users) {
    this.fencing = fencing;
    this.database = database;
    this.applied = applied;
    this.users = users;
  }

  /** Writes the cluster's user table into {@code file} (nothing without one). */
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
   * A snapshot install starts: this member cannot write until a later lease makes it leader, and
   * a durable marker says the store is being replaced until {@link #completeInstall}.
   */
  public void beginInstall(long index) throws IOException {
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
