package io.graft.bridge.capture;

/**
 * The in-memory view of "may this member accept writes now": it holds the current lease and is open
 * only while this member is the Raft leader AND its own lease entry has been applied locally
 * (docs/ARCHITECTURE.md §2, decision 4). Written by the state machine's apply thread and by
 * role-change callbacks; read lock-free by committing threads.
 */
public final class WriteGate {
  private volatile int currentLeaseId;
  private volatile String currentLeaseOwner;
  private volatile boolean open;
  private volatile long txIdAtLeaseStart = Long.MAX_VALUE;
  private volatile boolean bootstrapping;
  private Runnable bootstrapEnded = () -> {};

  /** The applied lease, whoever owns it (0 = none yet). */
  public int currentLeaseId() {
    return currentLeaseId;
  }

  public String currentLeaseOwner() {
    return currentLeaseOwner;
  }

  /** Open for the leader with an applied lease, and during a fresh store's local bootstrap. */
  public boolean isOpen() {
    return open || bootstrapping;
  }

  /**
   * True while a freshly created store runs Neo4j's own store-initialisation transaction (the
   * token lookup indexes of {@code Database.postStartupInit}) locally. That transaction is
   * identical on every member, so it gives the same tx id everywhere without going through Raft,
   * and it must, because no leader exists while the database is still starting.
   */
  public boolean isBootstrapping() {
    return bootstrapping;
  }

  /** Lets local commits through until {@link #endBootstrap}; {@code onEnd} runs once then. */
  public synchronized void beginBootstrap(Runnable onEnd) {
    this.bootstrapping = true;
    this.bootstrapEnded = onEnd;
  }

  /** The local store-initialisation commit is done: from now on only Raft writes. */
  public void endBootstrap() {
    Runnable onEnd;
    synchronized (this) {
      if (!bootstrapping) {
        return;
      }
      bootstrapping = false;
      onEnd = bootstrapEnded;
      bootstrapEnded = () -> {};
    }
    onEnd.run();
  }

  /** Last committed tx id when this member's current lease was applied; MAX if it holds none. */
  public long txIdAtLeaseStart() {
    return txIdAtLeaseStart;
  }

  /** A lease was applied (or recovered); {@code mine} opens the gate, anything else closes it. */
  public synchronized void leaseApplied(int leaseId, String owner, boolean mine, long txIdNow) {
    this.currentLeaseId = leaseId;
    this.currentLeaseOwner = owner;
    this.txIdAtLeaseStart = mine ? txIdNow : Long.MAX_VALUE;
    this.open = mine;
  }

  /** Leadership lost: close at once, before in-flight work finishes (docs/NEO4J-INTERNALS.md §4) */
  public synchronized void close() {
    this.open = false;
  }

  /** Recovery: remember the durable lease without opening (a restarted member is not leader). */
  public synchronized void recovered(int leaseId, String owner) {
    this.currentLeaseId = leaseId;
    this.currentLeaseOwner = owner;
    this.open = false;
    this.txIdAtLeaseStart = Long.MAX_VALUE;
  }
}
