package io.graft.raft.protocol.membership;

import io.graft.raft.api.Membership;
import io.graft.raft.api.MembershipChangeException;

/**
 * The end of a membership change the leader's protocol accepted: the configuration it committed,
 * or why it failed. The runtime completes the caller's future with it ({@code requestId}).
 */
public record ChangeOutcome(long requestId, Membership membership, MembershipChangeException error) {
  public static ChangeOutcome done(long requestId, Membership membership) {
    return new ChangeOutcome(requestId, membership, null);
  }

  public static ChangeOutcome failed(long requestId, MembershipChangeException error) {
    return new ChangeOutcome(requestId, null, error);
  }

  public boolean succeeded() {
    return error == null;
  }
}
