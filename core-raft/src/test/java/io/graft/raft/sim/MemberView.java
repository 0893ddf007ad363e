package io.graft.raft.sim;

import io.graft.raft.api.MemberId;
import io.graft.raft.api.Role;
import io.graft.raft.protocol.membership.Configuration;

/** What the {@link SafetyChecker} reads of one member after an event. */
public interface MemberView {
  int index();

  MemberId id();

  /** False while crashed; the other accessors are then not called (except {@link #store}). */
  boolean alive();

  Role role();

  long term();

  long commitIndex();

  /**
   * The machine's own idea of its last log index: it must match the store once its Readies are
   * handled (the runtime writes at once; only durability comes later).
   */
  long machineLastIndex();

  SimLogStore store();

  /** The configuration its machine uses now. */
  Configuration configuration();

  /** What it starts from before any configuration entry: the founders', or empty for a joiner. */
  Configuration initialConfiguration();

  /** The founders' configuration (what a snapshot of a log without configuration entries has). */
  Configuration foundingConfiguration();
}
