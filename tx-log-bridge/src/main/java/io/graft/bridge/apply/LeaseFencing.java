package io.graft.bridge.apply;

import io.graft.bridge.capture.StaleLeaseException;
import io.graft.bridge.capture.WriteGate;
import io.graft.bridge.model.LeaseEntry;
import io.graft.bridge.model.TxEntry;
import java.io.IOException;

/**
 * Lease fencing (docs/ARCHITECTURE.md §2, decision 4; the 3.x lock-token rule): a {@link
 * LeaseEntry} is accepted iff it is the successor of the current lease, and a {@link TxEntry} is
 * applied only under the lease it was prepared under, identically on every member. The owner of the
 * current lease opens its write gate and turns id allocation on; every other member closes it and
 * turns allocation off. The applied lease is durable ({@link LeaseState}) because lease entries
 * leave no trace in Neo4j's log.
 */
public final class LeaseFencing {
  private final String self;
  private final LeaseState leaseState;
  private final WriteGate gate;

  /**
   * Recovers the durable lease into the gate (closed: a restarted member is not leader). Refuses
   * to start after an interrupted snapshot install ({@link LeaseState#refuseAfterInterruptedInstall}).
   */
  public LeaseFencing(String self, LeaseState leaseState, WriteGate gate) {
    this.self = self;
    this.leaseState = leaseState;
    this.gate = gate;
    leaseState.refuseAfterInterruptedInstall();
    LeaseState.Snapshot lease = leaseState.current();
    gate.recovered(lease.leaseId(), lease.owner());
  }

  /** The applied lease with the Raft index of the entry that produced it. */
  public LeaseState.Snapshot current() {
    return leaseState.current();
  }

  boolean isMine(TxEntry tx) {
    return self.equals(tx.originMember());
  }

  /** True iff {@code tx} was prepared under the current lease (it may be applied). */
  boolean admits(TxEntry tx) {
    return tx.leaseId() == gate.currentLeaseId();
  }

  /** Why {@code tx}, not {@link #admits admitted}, was rejected on every member. */
  StaleLeaseException staleLease(TxEntry tx) {
    return new StaleLeaseException(
        "the transaction was prepared under lease "
            + tx.leaseId()
            + " but lease "
            + gate.currentLeaseId()
            + " is current; it was rejected on every member");
  }

  /**
   * Applies a lease entry at {@code index}, after every earlier entry (log order). Allocation goes
   * on only then, mirroring 3.x IdReusabilityCondition.
   *
   * @return whether it was accepted (the successor of the current lease)
   */
  synchronized boolean apply(LeaseEntry lease, long index, DatabaseHandle database)
      throws IOException {
    boolean accepted = lease.leaseId() == gate.currentLeaseId() + 1;
    if (accepted) {
      leaseState.write(lease.leaseId(), lease.owner(), index);
      boolean mine = self.equals(lease.owner());
      database.idAllocation().set(mine);
      gate.leaseApplied(lease.leaseId(), lease.owner(), mine,
          database.lastCommittedTxId().getAsLong());
    }
    return accepted;
  }

  /**
   * This member stopped being leader: close the gate and, unless the machine failed, stop
   * allocating ids.
   */
  synchronized void steppedDown(DatabaseHandle database, boolean failed) {
    gate.close();
    if (!failed) {
      database.idAllocation().set(false);
    }
  }

  /** A snapshot install starts: no writes here until a later lease; the marker is durable. */
  synchronized void beginInstall(long index, DatabaseHandle database) throws IOException {
    gate.close();
    database.idAllocation().set(false);
    leaseState.markInstallPending(index);
  }

  /** The snapshot is in place: adopt its lease at {@code index}, durably, and clear the marker. */
  synchronized void completeInstall(long index, int leaseId, String leaseOwner,
      DatabaseHandle database) throws IOException {
    leaseState.write(leaseId, leaseOwner, index);
    leaseState.clearInstallPending();
    gate.recovered(leaseId, leaseOwner);
    database.idAllocation().set(false);
  }
}
