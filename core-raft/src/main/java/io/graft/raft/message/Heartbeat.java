package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/**
 * Leader liveness message carrying no entries. {@code commitIndex} is min(leader commit, follower's
 * match index) so a follower never commits past what it is known to hold (as etcd does).
 * {@code context} is echoed back (used for read-index style rounds).
 */
public record Heartbeat(MemberId from, long term, long commitIndex, long context)
    implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onHeartbeat(this);
  }
}
