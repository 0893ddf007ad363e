package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/** Reply to {@link Heartbeat}; {@code lastLogIndex} lets the leader notice a lagging follower. */
public record HeartbeatResponse(MemberId from, long term, long context, long lastLogIndex)
    implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onHeartbeatResponse(this);
  }
}
