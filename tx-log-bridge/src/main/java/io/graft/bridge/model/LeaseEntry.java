package io.graft.bridge.model;

import java.util.Objects;

/**
 * Requests lease {@code leaseId} for {@code owner}. Accepted by the state machine only when it is
 * exactly the successor of the current lease, so concurrent requests from two would-be leaders
 * resolve deterministically in log order (the 3.x lock-token idea; docs/NEO4J-INTERNALS.md §2.5,
 * §4).
 *
 * @param owner the member id (advertised Raft address) of the leader asking for the lease
 */
public record LeaseEntry(int leaseId, String owner) implements ReplicatedEntry {
  public LeaseEntry {
    Objects.requireNonNull(owner, "owner");
    if (leaseId <= 0) {
      throw new IllegalArgumentException("lease id must be positive: " + leaseId);
    }
  }

  @Override
  public <R> R accept(Visitor<R> visitor) throws Exception {
    return visitor.visitLease(this);
  }
}
