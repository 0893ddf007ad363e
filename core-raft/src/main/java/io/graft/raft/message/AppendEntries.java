package io.graft.raft.message;

import io.graft.raft.api.MemberId;
import java.util.List;

/** Figure 2 AppendEntries RPC. {@code entries} may be empty (a probe). */
public record AppendEntries(
    MemberId from,
    long term,
    long prevLogIndex,
    long prevLogTerm,
    List<LogEntry> entries,
    long leaderCommit)
    implements RaftMessage {
  public AppendEntries {
    entries = List.copyOf(entries);
  }

  @Override
  public <R> R accept(Handler<R> handler) {
    return handler.onAppendEntries(this);
  }
}
