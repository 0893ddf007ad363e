package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/**
 * Leader to a caught-up follower, one way: the commit index moved. {@code commitIndex} is
 * min(leader commit, follower's match index), as in a {@link Heartbeat}, so the follower never
 * commits past what it is known to hold. Unlike an empty AppendEntries it asks for no
 * acknowledgement: the follower's match index is already known, so an answer would carry nothing
 * new (fewer messages per write). It counts as leader activity for the follower's election timer.
 */
public record CommitNotice(MemberId from, long term, long commitIndex) implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onCommitNotice(this);
  }
}
