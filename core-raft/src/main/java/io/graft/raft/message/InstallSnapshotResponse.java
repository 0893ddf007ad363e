package io.graft.raft.message;

import io.graft.raft.api.MemberId;

/**
 * Reply to {@link InstallSnapshot}: {@code nextOffset} is where the follower wants the next chunk
 * (resume point after a broken connection); {@code success} false means restart from nextOffset.
 */
public record InstallSnapshotResponse(
    MemberId from, long term, long lastIncludedIndex, long nextOffset, boolean success, boolean done)
    implements RaftMessage {
  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onInstallSnapshotResponse(this);
  }
}
