package io.graft.raft.protocol.quorum;

/** Outcome of an election tally (§5.2): won by a majority, lost, or still open. */
public enum VoteResult {
  PENDING,
  WON,
  LOST
}
