package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/** Leadership transfer (thesis §3.10): the receiver starts an election at once, skipping PreVote. */
public record TimeoutNow(MemberId from, long term) implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onTimeoutNow(this);
  }
}
