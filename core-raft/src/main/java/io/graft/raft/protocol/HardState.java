package io.graft.raft.protocol;

import io.graft.raft.api.MemberId;

/**
 * The state Raft must make durable before acting on it (Figure 2 "persistent state"): the current
 * term and the vote cast in it. {@code votedFor} is null when no vote was cast in {@code term}.
 * {@code commitIndex} is persisted as a hint only (it is recoverable from a quorum).
 */
public record HardState(long term, MemberId votedFor, long commitIndex) {
  public static final HardState EMPTY = new HardState(0, null, 0);

  public HardState {
    if (term < 0 || commitIndex < 0) {
      throw new IllegalArgumentException("negative term/commit: " + term + "/" + commitIndex);
    }
  }
}
