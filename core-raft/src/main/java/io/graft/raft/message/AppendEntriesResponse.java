package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/**
 * Reply to {@link AppendEntries}.
 *
 * <p>On success {@code matchIndex} is the index of the last entry the follower now holds that
 * matches the leader's (prevLogIndex + entries.size()). On rejection the fast back-off hint (thesis
 * §5.3, "the follower can include the term of the conflicting entry and the first index it stores for
 * that term") is {@code conflictTerm} / {@code conflictIndex}; {@code conflictTerm == 0} means the
 * follower's log is shorter and {@code conflictIndex} is its lastIndex + 1. {@code lastLogIndex} is the
 * follower's last index, always.
 */
public record AppendEntriesResponse(
    MemberId from,
    long term,
    boolean success,
    long matchIndex,
    long conflictIndex,
    long conflictTerm,
    long lastLogIndex)
    implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onAppendEntriesResponse(this);
  }
}
