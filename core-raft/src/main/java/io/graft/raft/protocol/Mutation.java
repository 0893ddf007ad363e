package io.graft.raft.protocol;

/**
 * Deliberately broken variants of the protocol, for the proofs that the simulation can fail only:
 * it must catch every one of them (core-raft README, "The mutation proof" for the safety rules,
 * "The disruption check" for {@link #IGNORE_LEADER_LEASE}). A machine always starts with
 * {@link #NONE}, and only test code in this package can switch a variant on, so production
 * behaviour is untouched; each variant is one branch at the place the rule it breaks is enforced.
 */
enum Mutation {
  /** The protocol as specified. */
  NONE,

  /** §5.4.1 skipped: a (pre)vote is granted whatever the candidate's log. */
  VOTE_WITHOUT_LOG_CHECK,

  /** Figure 8 / §5.4.2 skipped: an entry of an earlier term commits by counting its replicas. */
  COMMIT_EARLIER_TERM_BY_COUNT,

  /** A follower acknowledges appended entries before they are durable (§5.3, Figure 2). */
  ACK_BEFORE_DURABLE,

  /**
   * A follower deletes everything after {@code prevLogIndex} on every AppendEntries, not only on a
   * conflict (Figure 2 receiver rule 3), so a reordered, older append cuts entries it already
   * acknowledged: entries the leader may have committed.
   */
  TRUNCATE_ON_EVERY_APPEND,

  /** Entries are handed to the state machine once appended, before they commit (§5.3). */
  APPLY_BEFORE_COMMIT,

  /**
   * Thesis §4.2.3 (and the "no live leader" condition of §9.6) skipped: a member that heard from a
   * live leader within the election timeout, or the leader itself, heeds a higher-term (Pre)Vote
   * request anyway. Not a safety rule: a disruptive server (a removed member, a member without
   * PreVote) then deposes a healthy leader. Caught by the disruption check of the simulation
   * ({@code DisruptiveMemberSimulationTest}), not by the safety invariants.
   */
  IGNORE_LEADER_LEASE
}
