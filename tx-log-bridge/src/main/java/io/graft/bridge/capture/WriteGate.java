package io.graft.bridge.capture;

/**
 * The in-memory view of "may this member accept writes now": it holds the current lease and is
 * open only while this member is the Raft leader AND its own lease entry has been applied locally
 * (ARCHITECTURE.md §2, decision 4). Written by the state machine's apply thread and by role-change
 * callbacks; read lock-free by committing threads.
 */
public final class WriteGate {
  private volatile int currentLeaseId;
  private volatile String currentLeaseOwner;
  private volatile boolean open;
  private volatile long txIdAtLeaseStart = Long.MAX_VALUE;

  /** The applied lease, whoever owns it (0 = none yet). */
  public int currentLeaseId() {
    return currentLeaseId;
  }

  public String currentLeaseOwner() {
    return currentLeaseOwner;
  }

  public boolean isOpen() {
    return open;
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

  /** Leadership lost: close at once, before in-flight work finishes (NEO4J-INTERNALS §4). */
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
