package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/**
 * RequestVote RPC (Figure 2), also used for PreVote (thesis §9.6) when {@code preVote} is set: then
 * {@code term} is the term the candidate <em>would</em> use, and receivers change no state.
 * {@code leadershipTransfer} is set when the election was started by TimeoutNow (§3.10), so receivers
 * grant even while they believe a leader is alive.
 */
public record RequestVote(
    MemberId from,
    long term,
    long lastLogIndex,
    long lastLogTerm,
    boolean preVote,
    boolean leadershipTransfer)
    implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onRequestVote(this);
  }
}
