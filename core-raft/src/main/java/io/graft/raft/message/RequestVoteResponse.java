package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/** Reply to {@link RequestVote}; {@code preVote} echoes the request's flag. */
public record RequestVoteResponse(MemberId from, long term, boolean granted, boolean preVote)
    implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onRequestVoteResponse(this);
  }
}
