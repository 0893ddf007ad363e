package io.graft.raft.api;

/**
 * The proposal was accepted by a leader that lost leadership before the entry committed, or the
 * entry was overwritten. The outcome is unknown to the caller: the entry may still commit.
 */
public class ProposalDroppedException extends RaftException {
  public ProposalDroppedException(String message) {
    super(message);
  }
}
