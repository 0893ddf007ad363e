package io.graft.raft.api;

/**
 * The leader refused the proposal before appending it (back-pressure: the uncommitted bytes bound is
 * reached, a leadership transfer is in progress, or the entry is larger than allowed). Nothing was
 * written; retrying later is safe.
 */
public class ProposalRejectedException extends RaftException {
  public ProposalRejectedException(String message) {
    super(message);
  }
}
