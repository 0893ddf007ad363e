package io.graft.bridge.apply;

/**
 * The started Neo4j database under the state machine: the services of its current start, and
 * whether entries may be applied now. Neo4j builds new services on every start, and a snapshot
 * install restarts the database under the same Raft member ({@link #rebind}).
 *
 * <p>The database extension starts before Neo4j's transaction log is open and stops after it is
 * closed, so entries may only be applied while the database is available; until then (and after
 * it becomes unavailable) the apply thread waits in {@link #awaitAvailable}.
 */
public final class DatabaseSlot {
  private volatile DatabaseHandle current;
  private final Object availability = new Object();
  private boolean available;
  private boolean localBootstrapPending;
  private boolean closed;

  public DatabaseSlot(DatabaseHandle first) {
    this.current = first;
  }

  /** The services of the database's current start. */
  public DatabaseHandle current() {
    return current;
  }

  /**
   * The database was restarted under the state machine (a snapshot install, which holds the apply
   * lock): apply through the new start's services from now on. Id allocation stays off until a
   * lease says otherwise.
   */
  public synchronized void rebind(DatabaseHandle next) {
    this.current = next;
    next.idAllocation().set(false);
  }

  /** Told by Neo4j's availability guard of the current start. */
  public void databaseAvailable(boolean isAvailable) {
    synchronized (availability) {
      available = isAvailable;
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

  /** Waits until entries may be applied; fails once {@link #close}d. */
  void awaitAvailable() throws InterruptedException {
    synchronized (availability) {
      while ((!available || localBootstrapPending) && !closed) {
        availability.wait();
      }
      if (closed) {
        throw new IllegalStateException("graft: the replicated database stopped; not applying");
      }
    }
  }
}
