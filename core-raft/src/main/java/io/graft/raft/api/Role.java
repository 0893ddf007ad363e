package io.graft.raft.api;

/** The role a member reports. Names are part of the user's contract (docs/ARCHITECTURE.md §3). */
public enum Role {
  FOLLOWER,
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER,
  /** Non-voting member that receives the log (catching up, or a permanent learner). */
  LEARNER,
  /** No longer part of the configuration. */
  REMOVED
}
