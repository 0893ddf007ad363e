package io.graft.raft.sim;

import io.graft.raft.protocol.BrokenProtocol;
import io.graft.raft.protocol.RaftMachine;

/**
 * The deliberately broken Raft variants of the mutation proof ({@link MutationProofTest}): each
 * breaks one rule safety rests on, and the simulation, run exactly as in the CI sweep, must report
 * a violated invariant for every one. Five break the protocol itself ({@link BrokenProtocol}); one
 * breaks the member's durable term/vote store.
 */
public enum BrokenVariant {
  /** §5.4.1: votes are granted without comparing the candidate's log with the voter's. */
  VOTE_WITHOUT_UP_TO_DATE_CHECK("§5.4.1 up-to-date check skipped when voting",
      BrokenProtocol.Variant.VOTE_WITHOUT_LOG_CHECK),

  /** Figure 8: a new leader commits an entry of an earlier term by counting its replicas. */
  COMMIT_OLD_TERM_BY_COUNTING("Figure 8: an earlier term's entry commits by counting replicas",
      BrokenProtocol.Variant.COMMIT_EARLIER_TERM_BY_COUNT),

  /** A follower acknowledges an append before its fsync. */
  ACK_APPEND_BEFORE_DURABLE("a follower acknowledges an append before it is durable",
      BrokenProtocol.Variant.ACK_BEFORE_DURABLE),

  /** The term/vote store keeps the term but loses the vote at every crash (§5.2). */
  FORGET_VOTE_ON_RESTART("the vote is forgotten on restart (term kept)", null),

  /**
   * A follower truncates after prevLogIndex on every append (Figure 2 rule 3 without its
   * "conflict" condition), so a reordered older append cuts acknowledged, committed entries.
   */
  TRUNCATE_COMMITTED_ENTRY("a reordered append truncates acknowledged (committed) entries",
      BrokenProtocol.Variant.TRUNCATE_ON_EVERY_APPEND),

  /** Entries go to the state machine as soon as they are in the log, before they commit. */
  APPLY_BEFORE_COMMIT("entries are applied before they commit",
      BrokenProtocol.Variant.APPLY_BEFORE_COMMIT);

  private final String description;
  private final BrokenProtocol.Variant protocol;

  BrokenVariant(String description, BrokenProtocol.Variant protocol) {
    this.description = description;
    this.protocol = protocol;
  }

  public String description() {
    return description;
  }

  /** Called for every machine the simulation starts. */
  void breakMachine(RaftMachine machine) {
    if (protocol != null) {
      BrokenProtocol.enable(machine, protocol);
    }
  }

  /** Called before a member restarts from its durable state. */
  void beforeRestart(SimMetaStore meta) {
    if (this == FORGET_VOTE_ON_RESTART) {
      meta.forgetVote();
    }
  }
}
